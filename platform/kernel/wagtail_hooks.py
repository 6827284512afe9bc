"""The console's module menus and screens, built from the module registry."""

from django.urls import reverse
from django.utils.functional import lazy
from django.utils.module_loading import import_string
from wagtail import hooks
from wagtail.admin.menu import Menu

from kernel import modules
from kernel.console import ModuleMenuItem, ModuleSubmenuMenuItem


def _viewset_hook(path):
    return lambda: import_string(path)


def _menu_hook(spec):
    def build():
        items = [
            ModuleMenuItem(
                item.label,
                reverse(item.url_name),
                name=item.name,
                icon_name=item.icon,
                order=item.order,
                module_key=spec.key,
                permission=item.permission,
            )
            for item in spec.menu_items
        ]
        return ModuleSubmenuMenuItem(
            lazy(lambda: spec.name, str)(),  # menus are built once; the label follows the language
            Menu(items=items),
            name=f"module-{spec.key}",
            icon_name=spec.menu_icon,
            order=spec.menu_order,
            module_key=spec.key,
        )

    return build


for _spec in modules.all_modules():
    for _path in _spec.console_viewsets:
        hooks.register("register_admin_viewset", _viewset_hook(_path))
    if _spec.menu_items:
        hooks.register("register_admin_menu_item", _menu_hook(_spec))


@hooks.register("register_admin_urls")
def audit_urls():
    from django.urls import path

    from kernel import audit_views

    return [
        path("audit/", audit_views.audit_list, name="kernel_audit"),
        path("audit/export.csv", audit_views.audit_export, name="kernel_audit_export"),
    ]


@hooks.register("construct_homepage_panels")
def module_panels(request, panels):
    """The console home: each enabled module's panels the user may see, instead of Wagtail's
    upgrade and "what's new" notices."""
    from identity.access import has_code

    panels[:] = [
        p
        for p in panels
        if getattr(p, "name", "") not in ("upgrade_notification", "whats_new_in_wagtail_version")
    ]
    enabled = modules.enabled_keys(request.tenant) if getattr(request, "tenant", None) else set()
    for spec in modules.all_modules():
        if spec.key not in enabled:
            continue
        for declared in spec.dashboard_panels:
            if declared.permission and not has_code(request.user, declared.permission):
                continue
            panel = import_string(declared.component)()
            panel.order = declared.order
            panels.append(panel)


@hooks.register("insert_global_admin_css")
def tenant_colours_in_the_console():
    """The console wears the tenant's colours (Wagtail's theme is built on HSL variables)."""
    from django.utils.html import format_html

    from kernel.branding import branding_for, hsl

    brand = branding_for()
    if brand is None:
        return ""
    ph, ps, pl = hsl(brand.primary)
    return format_html(
        "<style>:root{{--w-color-primary-hue:{};--w-color-primary-saturation:{}%;--w-color-primary-lightness:{}%;"
        "--w-color-primary-200-hue:{};--w-color-primary-200-saturation:{}%;--w-color-primary-200-lightness:{}%}}"
        ".facilis-stats{{display:flex;flex-wrap:wrap;gap:1.5rem;margin:0 0 1rem}}.facilis-stats b{{display:block;font-size:1.6rem}}"
        ".facilis-bar{{display:grid;grid-template-columns:8rem 1fr 3rem;gap:.5rem;align-items:center;margin:.25rem 0}}"
        ".facilis-bar__track{{background:var(--w-color-surface-field-inactive,#eee);height:.7rem;border-radius:4px;overflow:hidden}}"
        ".facilis-bar__fill{{display:block;height:100%;background:{}}}.facilis-list{{padding-left:1rem}}</style>",
        ph,
        ps,
        pl,
        ph,
        ps,
        min(pl + 20, 90),
        brand.accent,
    )


@hooks.register("register_admin_menu_item")
def notifications_menu_item():
    from django.urls import reverse_lazy
    from django.utils.translation import gettext_lazy as _
    from wagtail.admin.menu import MenuItem

    class InboxMenuItem(MenuItem):
        def render_component(self, request):
            from kernel.notifications import unread_count

            count = unread_count(request.user)
            component = super().render_component(request)
            if count:
                component.label = f"{self.label} ({count})"
            return component

    return InboxMenuItem(
        _("Notifications"), reverse_lazy("portal:inbox"), name="notifications", icon_name="mail", order=1
    )


@hooks.register("register_admin_urls")
def kernel_console_urls():
    from django.urls import path

    from kernel import console_views, webhook_console

    return [
        path("modules/", console_views.modules_page, name="kernel_modules"),
        path("calendar/", console_views.calendar_page, name="kernel_calendar"),
        path("webhooks/deliveries/", webhook_console.delivery_log, name="kernel_webhook_log"),
        path(
            "webhooks/deliveries/<int:pk>/redeliver/",
            webhook_console.redeliver,
            name="kernel_webhook_redeliver",
        ),
    ]
