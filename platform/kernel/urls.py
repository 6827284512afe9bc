from django.urls import path

from kernel import files

app_name = "kernel-files"

urlpatterns = [
    path("<str:token>/", files.serve_signed_file, name="signed"),
]
