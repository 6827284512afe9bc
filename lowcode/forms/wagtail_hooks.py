from django.urls import path
from wagtail import hooks

from lowcode.forms import console_submissions


@hooks.register("register_admin_urls")
def forms_console_urls():
    return [
        path("form-submissions/", console_submissions.submission_list, name="lowcode_forms_submissions"),
        path(
            "form-submissions/export.<str:fmt>",
            console_submissions.submission_export,
            name="lowcode_forms_submissions_export",
        ),
        path(
            "form-submissions/<int:pk>/",
            console_submissions.submission_detail,
            name="lowcode_forms_submission",
        ),
    ]
