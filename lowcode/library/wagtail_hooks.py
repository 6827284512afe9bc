"""Console URLs of group templates; the menu item hangs off the reports module
(lowcode/reports/apps.py), since this public-schema app is not a module of its own."""

from django.urls import path
from wagtail import hooks

from lowcode.library import console_views


@hooks.register("register_admin_urls")
def library_console_urls():
    return [
        path("group-templates/", console_views.index, name="lowcode_library_index"),
        path("group-templates/<int:pk>/adopt/", console_views.adopt, name="lowcode_library_adopt"),
        path("group-templates/<int:pk>/withdraw/", console_views.withdraw, name="lowcode_library_withdraw"),
        path(
            "group-templates/<int:pk>/republish/", console_views.republish, name="lowcode_library_republish"
        ),
    ]
