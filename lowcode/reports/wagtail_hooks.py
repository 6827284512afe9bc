from django.urls import path, re_path
from wagtail import hooks

from lowcode.reports import console_views, hq_views


@hooks.register("register_admin_urls")
def reports_console_urls():
    return [
        path("reports/", console_views.report_list, name="lowcode_reports_list"),
        path("reports/group/", hq_views.overview, name="lowcode_reports_hq"),
        path("reports/new/", console_views.builder, name="lowcode_reports_new"),
        path("reports/<int:pk>/", console_views.builder, name="lowcode_reports_edit"),
        path("reports/<int:pk>/delete/", console_views.delete, name="lowcode_reports_delete"),
        re_path(
            r"^reports/(?P<pk>\d+)/export\.(?P<fmt>csv|xlsx)$",
            console_views.export,
            name="lowcode_reports_export",
        ),
    ]
