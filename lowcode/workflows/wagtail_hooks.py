from django.urls import path
from wagtail import hooks

from lowcode.workflows import console_views


@hooks.register("register_admin_urls")
def workflows_console_urls():
    return [path("workflows/inbox/", console_views.inbox, name="lowcode_workflows_inbox")]
