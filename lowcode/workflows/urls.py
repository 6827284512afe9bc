from django.urls import path

from lowcode.workflows import views

urlpatterns = [
    path("tasks/<int:pk>/", views.task, name="task"),
    path("away/", views.away, name="away"),
]
