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
