from django.urls import path
from wagtail import hooks

from identity import console_views


@hooks.register("register_admin_urls")
def identity_console_urls():
    return [
        path("people/import/", console_views.import_start, name="identity_import"),
        path("people/import/<int:pk>/", console_views.import_detail, name="identity_import_detail"),
        path(
            "people/import/<int:pk>/status.json", console_views.import_status, name="identity_import_status"
        ),
        path("people/import/<int:pk>/confirm/", console_views.import_confirm, name="identity_import_confirm"),
        path("people/lockouts/", console_views.lockouts, name="identity_lockouts"),
        path("people/lockouts/<int:pk>/unlock/", console_views.unlock, name="identity_unlock"),
        path("people/sign-in/", console_views.sign_in_settings, name="identity_sign_in_settings"),
    ]


@hooks.register("construct_settings_menu")
def hide_wagtail_users_and_groups(request, menu_items):
    """People, roles and permissions live under 组织与权限; Wagtail's own screens would bypass them."""
    menu_items[:] = [item for item in menu_items if item.name not in ("users", "groups")]
