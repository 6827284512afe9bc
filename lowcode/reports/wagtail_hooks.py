from django.urls import path, re_path
from wagtail import hooks

from lowcode.reports import console_views, dashboard_views, hq_views, schedule_views


@hooks.register("register_admin_urls")
def reports_console_urls():
    return [
        path("reports/", console_views.report_list, name="lowcode_reports_list"),
        path("reports/group/", hq_views.overview, name="lowcode_reports_hq"),
        path(
            "reports/group/<slug:schema_name>/",
            hq_views.subsidiary,
            name="lowcode_reports_hq_subsidiary",
        ),
        path("reports/dashboards/", dashboard_views.dashboard_list, name="lowcode_reports_dashboards"),
        path("reports/dashboards/new/", dashboard_views.dashboard_edit, name="lowcode_reports_dashboard_new"),
        path(
            "reports/dashboards/<int:pk>/", dashboard_views.dashboard_view, name="lowcode_reports_dashboard"
        ),
        path(
            "reports/dashboards/<int:pk>/edit/",
            dashboard_views.dashboard_edit,
            name="lowcode_reports_dashboard_edit",
        ),
        path(
            "reports/dashboards/<int:pk>/delete/",
            dashboard_views.dashboard_delete,
            name="lowcode_reports_dashboard_delete",
        ),
        path("reports/<int:pk>/records/", dashboard_views.records, name="lowcode_reports_records"),
        path("reports/new/", console_views.builder, name="lowcode_reports_new"),
        path("reports/<int:pk>/", console_views.builder, name="lowcode_reports_edit"),
        path("reports/<int:pk>/delete/", console_views.delete, name="lowcode_reports_delete"),
        re_path(
            r"^reports/(?P<pk>\d+)/export\.(?P<fmt>csv|xlsx|pdf)$",
            console_views.export,
            name="lowcode_reports_export",
        ),
        path("reports/<int:pk>/schedules/", schedule_views.schedule_list, name="lowcode_reports_schedules"),
        path(
            "reports/<int:pk>/schedules/new/",
            schedule_views.schedule_edit,
            name="lowcode_reports_schedule_new",
        ),
        path(
            "reports/schedules/<int:schedule_id>/",
            schedule_views.schedule_edit,
            name="lowcode_reports_schedule_edit",
        ),
        path(
            "reports/schedules/<int:schedule_id>/delete/",
            schedule_views.schedule_delete,
            name="lowcode_reports_schedule_delete",
        ),
    ]
