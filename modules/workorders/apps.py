from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from kernel.modules import MenuItem, ModuleAppConfig, ModuleSpec, NotificationKind, PeriodicJob


class WorkOrdersConfig(ModuleAppConfig):
    name = "modules.workorders"
    label = "workorders"
    verbose_name = _("Work orders")
    module_spec = ModuleSpec(
        key="workorders",
        name_zh="报修维修",
        name_en="Work orders",
        description="Repair and maintenance: report, dispatch, work, verify, rate — with SLAs and costs.",
        dependencies=("inventory",),
        permissions=(
            ("workorders.submit", "Report faults"),
            ("workorders.dispatch", "Service desk: log calls, accept, dispatch, reject, revisit, close"),
            ("workorders.work", "Worker: take, start, add materials, complete"),
            ("workorders.configure", "Set up trades, teams, dispatch and SLA rules"),
        ),
        menu_icon="cogs",
        menu_order=200,
        menu_items=(
            MenuItem(
                "board",
                _("Dispatch board"),
                "workorders_desk:board",
                icon="clipboard-list",
                order=0,
                permission="workorders.dispatch",
            ),
            MenuItem("orders", _("Work orders"), "workorders_order:index", icon="list-ul", order=1),
            MenuItem(
                "stats",
                _("Statistics"),
                "workorders_desk:stats",
                icon="table",
                order=2,
                permission="workorders.view",
            ),
            MenuItem(
                "chargeback",
                _("Chargeback statements"),
                "workorders_desk:chargeback",
                icon="doc-full",
                order=3,
                permission="workorders.view",
            ),
            MenuItem(
                "trades",
                _("Trades"),
                "workorders_trade:index",
                icon="tag",
                order=5,
                permission="workorders.configure",
            ),
            MenuItem(
                "teams",
                _("Teams"),
                "workorders_team:index",
                icon="group",
                order=6,
                permission="workorders.configure",
            ),
            MenuItem(
                "rules",
                _("Dispatch rules"),
                "workorders_dispatchrule:index",
                icon="redirect",
                order=7,
                permission="workorders.configure",
            ),
            MenuItem(
                "sla",
                _("SLA rules"),
                "workorders_slarule:index",
                icon="time",
                order=8,
                permission="workorders.configure",
            ),
            MenuItem(
                "whatif",
                _("SLA what if"),
                "workorders_desk:whatif",
                icon="history",
                order=9,
                permission="workorders.configure",
            ),
            MenuItem(
                "settings",
                _("Settings"),
                "workorders_desk:settings",
                icon="cog",
                order=10,
                permission="workorders.configure",
            ),
        ),
        console_viewsets=(
            "modules.workorders.viewsets.order_viewset",
            "modules.workorders.viewsets.trade_viewset",
            "modules.workorders.viewsets.team_viewset",
            "modules.workorders.viewsets.dispatch_rule_viewset",
            "modules.workorders.viewsets.sla_rule_viewset",
            "modules.workorders.console_views.desk_viewset",
        ),
        urls="modules.workorders.urls",
        graphql_query="modules.workorders.graphql.schema.WorkOrdersQuery",
        graphql_mutation="modules.workorders.graphql.schema.WorkOrdersMutation",
        periodic_jobs=(
            PeriodicJob(actor="workorders.sweep", every=timedelta(seconds=60)),
            # Group headquarters' rollups recomputed whole each night (platform/analytics).
            PeriodicJob(actor="analytics.reconcile_workorders", cron="40 2 * * *"),
        ),
        default_data="modules.workorders.defaults.install",
        demo_data="modules.workorders.demo.seed",
        my_requests="modules.workorders.selectors.my_requests",
        my_tasks="modules.workorders.selectors.my_tasks",
        extension_targets="modules.workorders.selectors.extension_targets",
        report_datasets="modules.workorders.reporting.datasets",
        # Wagtail has no wrench icon: "warning" (a fault) and "cogs" (the work).
        portal_entries=(
            (_("Report a fault"), "workorders:new", "warning"),
            (_("My repair jobs"), "workorders:work", "cogs"),
        ),
        workflow_subjects=(
            (
                "workorders.order",
                "modules.workorders.actions.workflow_outcome",
                "modules.workorders.actions.order_department",
            ),
        ),
        role_grants={
            "dispatcher": (
                "workorders.view",
                "workorders.add",
                "workorders.change",
                "workorders.submit",
                "workorders.dispatch",
            ),
            "worker": ("workorders.work", "workorders.submit"),
            "approver": ("workorders.view", "workorders.submit"),
            "end_user": ("workorders.submit",),
            "hq_viewer": ("workorders.view",),
        },
        notification_kinds=(
            NotificationKind(
                "workorders.new", _("New repair requests (desk)"), _("New repair request %(number)s")
            ),
            NotificationKind(
                "workorders.assigned", _("Repair jobs given to me"), _("Repair job %(number)s is yours")
            ),
            NotificationKind(
                "workorders.status",
                _("My repair requests: progress"),
                _("Repair request %(number)s: %(status)s"),
            ),
            NotificationKind(
                "workorders.completed",
                _("My repair requests: done, please check"),
                _("Repair request %(number)s is done: please check and rate it"),
            ),
            NotificationKind(
                "workorders.rejected",
                _("My repair requests: rejected"),
                _("Repair request %(number)s was rejected"),
                body=_("Reason: %(reason)s"),
            ),
            NotificationKind(
                "workorders.due_soon", _("Repair jobs nearly due"), _("Respond soon: repair job %(number)s")
            ),
            NotificationKind(
                "workorders.escalated",
                _("Repair jobs not responded to in time"),
                _("Not responded to in time: repair job %(number)s"),
            ),
            NotificationKind(
                "workorders.rectification",
                _("Low ratings to put right"),
                _("Rated %(rating)s: repair job %(number)s needs rectification"),
            ),
            NotificationKind(
                "workorders.complaint",
                _("Complaints about repairs"),
                _("Complaint about repair job %(number)s"),
            ),
        ),
    )
