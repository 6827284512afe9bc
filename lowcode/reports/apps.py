from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from kernel.modules import DashboardPanel, MenuItem, ModuleAppConfig, ModuleSpec, PeriodicJob


class ReportsConfig(ModuleAppConfig):
    name = "lowcode.reports"
    label = "lowcode_reports"
    verbose_name = _("Reports")
    module_spec = ModuleSpec(
        key="reports",
        name_zh="报表",
        name_en="Reports",
        description="Reports built from the modules' datasets: group, measure, filter, chart, "
        "save, share with roles and export.",
        always_on=True,
        graphql_query="lowcode.reports.graphql.ReportsQuery",
        menu_icon="table",
        menu_order=320,
        permissions=(
            ("reports.view_all", "View every saved report"),
            ("reports.hq", "Group headquarters: the subsidiaries' consolidated figures"),
        ),
        menu_items=(
            MenuItem(
                "reports",
                _("Reports"),
                "lowcode_reports_list",
                icon="table",
                order=0,
                permission="reports.view",
            ),
            MenuItem(
                "dashboards",
                _("Dashboards"),
                "lowcode_reports_dashboards",
                icon="view",
                order=0,
                permission="reports.view",
            ),
            MenuItem(
                "hq",
                _("Group overview"),
                "lowcode_reports_hq",
                icon="site",
                order=1,
                permission="reports.hq",
            ),
            # Group templates (lowcode/library, a public-schema app without a module of its own).
            MenuItem(
                "group_templates",
                _("Group templates"),
                "lowcode_library_index",
                icon="copy",
                order=2,
                permission="reports.add",
            ),
        ),
        # The tenant's default dashboard on the console home (if the user may see it).
        dashboard_panels=(
            DashboardPanel(
                "lowcode.reports.panels.DefaultDashboardPanel", permission="reports.view", order=5
            ),
        ),
        # After the work orders' demo (menu order 200 < 320): it reports on their orders.
        demo_data="lowcode.reports.demo.seed",
        # Scheduled e-mails of saved reports (lowcode/reports/schedules.py).
        periodic_jobs=(PeriodicJob(actor="reports.send_due", every=timedelta(minutes=5)),),
        role_grants={
            "dispatcher": ("reports.view", "reports.add"),
            "approver": ("reports.view", "reports.add"),
            "hq_viewer": ("console.access", "reports.view", "reports.hq"),
        },
    )
