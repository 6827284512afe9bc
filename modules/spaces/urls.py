from django.urls import path

from modules.spaces import views

urlpatterns = [
    path("", views.index, name="index"),
    path("buildings/<int:pk>/", views.building_detail, name="building"),
    path("buildings/<int:pk>/labels/", views.labels, name="labels"),
    path("l/<str:token>/", views.scan, name="scan"),
    path("qr/<str:token>.svg", views.qr_svg, name="qr"),
]
