from django.urls import path

from portal import views

urlpatterns = [
    path("requests/", views.my_requests, name="my-requests"),
    path("tasks/", views.my_tasks, name="my-tasks"),
    path("notifications/", views.inbox, name="inbox"),
    path("notifications/read/", views.inbox_read, name="inbox-read"),
    path("notifications/settings/", views.notification_settings, name="notification-settings"),
]
