from django.urls import path

from modules.workorders import views

urlpatterns = [
    path("orders/<int:pk>/", views.detail, name="detail"),
]
