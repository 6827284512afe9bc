from django.utils.translation import gettext_lazy as _

from kernel.modules import MenuItem, ModuleAppConfig, ModuleSpec


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
                "hq",
                _("Group overview"),
                "lowcode_reports_hq",
                icon="site",
                order=1,
                permission="reports.hq",
            ),
        ),
        role_grants={
            "dispatcher": ("reports.view", "reports.add"),
            "approver": ("reports.view", "reports.add"),
            "hq_viewer": ("console.access", "reports.view", "reports.hq"),
        },
    )
