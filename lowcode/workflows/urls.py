from django.urls import path

from lowcode.workflows import views

urlpatterns = [
    path("tasks/<int:pk>/", views.task, name="task"),
    path("requests/<int:pk>/", views.request_page, name="request"),
    path("away/", views.away, name="away"),
]
