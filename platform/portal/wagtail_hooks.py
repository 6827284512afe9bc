from django.urls import path
from wagtail import hooks

from portal import console_views


@hooks.register("register_admin_urls")
def portal_console_urls():
    return [path("portal/branding/", console_views.branding, name="portal_branding")]


@hooks.register("after_publish_page")
def announce_new_notices(request, page):
    """Publishing an announcement (通知公告) in the console notifies everyone of the organisation."""
    from portal.actions import announce

    announce(page.specific, actor=request.user)
