from django.urls import path

from modules.workorders import views

urlpatterns = [
    path("new/", views.new, name="new"),
    path("orders/<int:pk>/", views.detail, name="detail"),
    path("orders/<int:pk>/status/", views.order_status, name="status"),
    path("work/", views.work, name="work"),
    path("mine/", views.mine, name="mine"),
    path("mine/status/", views.mine_status, name="mine-status"),
]
