from datetime import timedelta

from django.conf import settings
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

from kernel.modules import (
    DashboardPanel,
    MenuItem,
    ModuleAppConfig,
    ModuleSpec,
    NotificationKind,
    PeriodicJob,
)


class KernelConfig(ModuleAppConfig):
    name = "kernel"
    verbose_name = _("Kernel")
    module_spec = ModuleSpec(
        key="kernel",
        name_zh="平台内核",
        name_en="Platform kernel",
        internal=True,
        permissions=(
            ("audit.view", "See the audit trail"),
            ("audit.export", "Export the audit trail"),
            ("webhooks.manage", "Manage webhooks and see their deliveries"),
            ("calendar.manage", "Edit the business calendar (working days, hours, holidays)"),
        ),
        menu_icon="history",
        menu_order=950,
        menu_items=(
            MenuItem(
                "modules", _("Modules"), "kernel_modules", icon="cogs", order=1, permission="console.access"
            ),
            MenuItem(
                "audit", _("Audit trail"), "kernel_audit", icon="history", order=2, permission="audit.view"
            ),
            MenuItem(
                "calendar",
                _("Business calendar"),
                "kernel_calendar",
                icon="date",
                order=6,
                permission="calendar.manage",
            ),
            MenuItem(
                "webhooks",
                _("Webhooks"),
                "kernel_webhookendpoint:index",
                icon="link-external",
                order=3,
                permission="webhooks.manage",
            ),
            MenuItem(
                "webhook-deliveries",
                _("Webhook deliveries"),
                "kernel_webhook_log",
                icon="list-ul",
                order=4,
                permission="webhooks.manage",
            ),
            MenuItem("graphiql", _("API explorer (GraphiQL)"), "graphql", icon="code", order=5),
        ),
        console_viewsets=("kernel.webhook_console.webhook_endpoint_viewset",),
        notification_kinds=(
            NotificationKind(
                key="kernel.reminder",
                label=_("Reminders"),
                title="%(title)s",
                body="%(text)s",
                default_channels=("inbox", "email"),
            ),
        ),
        dashboard_panels=(DashboardPanel("kernel.panels.NotificationsPanel", order=10),),
        periodic_jobs=(
            # Safety net: events are relayed right after commit; this catches any
            # relay message lost on the way.
            PeriodicJob(
                actor="kernel.relay_outbox",
                every=timedelta(seconds=settings.OUTBOX_RELAY_INTERVAL_SECONDS),
            ),
            PeriodicJob(actor="kernel.send_due_reminders", every=timedelta(seconds=60)),
            PeriodicJob(actor="kernel.resend_stale_deliveries", every=timedelta(seconds=120)),
            PeriodicJob(actor="kernel.send_due_webhooks", every=timedelta(seconds=30)),
        ),
    )

    def ready(self) -> None:
        super().ready()
        # Actors and outbox consumers register themselves on import; import them
        # everywhere so that producers, workers and the scheduler agree.
        autodiscover_modules("tasks", "consumers")
        from django.db.models.signals import post_migrate

        from kernel import checks  # noqa: F401 - registers system checks
        from kernel.audit import install_after_migrate

        # Audit triggers follow every migration of a schema (kernel.audit).
        post_migrate.connect(install_after_migrate, sender=self, dispatch_uid="facilis-audit-triggers")
