from django.utils.translation import gettext_lazy as _

from kernel.modules import DashboardPanel, MenuItem, ModuleAppConfig, ModuleSpec, NotificationKind


class PortalConfig(ModuleAppConfig):
    """The end users' portal: the tenant's Wagtail pages (news, notices, FAQ, services),
    search, and the personal pages (my requests, my tasks, notifications)."""

    name = "portal"
    verbose_name = _("Portal")
    module_spec = ModuleSpec(
        key="portal",
        name_zh="服务门户",
        name_en="Portal",
        internal=True,
        permissions=(
            ("portal.edit_content", "Edit portal pages, news, notices and FAQ"),
            ("portal.manage_branding", "Change the organisation's branding"),
        ),
        menu_icon="doc-full-inverse",
        menu_order=800,
        menu_items=(
            MenuItem(
                "branding",
                _("Branding"),
                "portal_branding",
                icon="image",
                order=1,
                permission="portal.manage_branding",
            ),
            MenuItem(
                "message-templates",
                _("Message templates"),
                "kernel_messagetemplate:index",
                icon="mail",
                order=2,
                permission="portal.manage_branding",
            ),
        ),
        console_viewsets=("portal.viewsets.message_template_viewset",),
        notification_kinds=(
            NotificationKind(
                key="portal.announcement",
                label=_("New announcements"),
                title=_("New announcement: %(title)s"),
                body="%(summary)s",
                default_channels=("inbox",),
            ),
        ),
        dashboard_panels=(
            DashboardPanel("portal.panels.ContentPanel", permission="portal.edit_content", order=30),
        ),
        urls="portal.urls",
        url_prefix="me",
        default_data="portal.defaults.install",
        demo_data="portal.demo.seed",
    )

    def ready(self) -> None:
        super().ready()
        from portal import indexing  # noqa: F401 - published pages into the search index
