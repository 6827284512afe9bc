"""Portal pages outside the page tree: search, and the personal pages under /me/."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kernel import modules, notifications
from kernel import search as kernel_search
from kernel.models import Channel, Notification, NotificationPreference


def search(request):
    query = request.GET.get("q", "").strip()[:100]
    results = kernel_search.search(query, principal=request.user) if query else []
    return render(request, "portal/search.html", {"query": query, "results": results})


@dataclass
class PersonalItem:
    """A row of "my requests" or "my tasks", contributed by a module."""

    title: str
    url: str
    status: str
    updated_at: datetime
    module: str = ""


def _personal(request, attr: str) -> list[PersonalItem]:
    enabled = modules.enabled_keys(request.tenant)
    items: list[PersonalItem] = []
    for spec in modules.all_modules():
        if spec.key in enabled and getattr(spec, attr):
            items.extend(spec.import_attr(attr)(request.user))
    return sorted(items, key=lambda item: item.updated_at, reverse=True)


@login_required
def my_requests(request):
    return render(
        request,
        "portal/me/list.html",
        {
            "items": _personal(request, "my_requests"),
            "heading": _("My requests"),
            "empty": _("You have no requests yet."),
        },
    )


@login_required
def my_tasks(request):
    return render(
        request,
        "portal/me/list.html",
        {
            "items": _personal(request, "my_tasks"),
            "heading": _("My tasks"),
            "empty": _("Nothing is waiting for you."),
        },
    )


@login_required
def inbox(request):
    items = Notification.objects.filter(recipient=request.user)[:100]
    return render(request, "portal/me/inbox.html", {"items": items})


@login_required
@require_POST
def inbox_read(request):
    ids = request.POST.getlist("id")
    notifications.mark_read(request.user, [int(i) for i in ids if i.isdigit()] if ids else None)
    return redirect("portal:inbox")


@login_required
def notification_settings(request):
    kinds = list(modules.notification_kinds().values())
    channels = [Channel.INBOX, Channel.EMAIL, Channel.SMS]
    if request.method == "POST":
        for kind in kinds:
            for channel in channels:
                NotificationPreference.objects.update_or_create(
                    user=request.user,
                    kind=kind.key,
                    channel=channel,
                    defaults={"enabled": request.POST.get(f"{kind.key}:{channel}") == "on"},
                )
        from django.contrib import messages

        messages.success(request, _("Your notification settings are saved."))
        return redirect("portal:notification-settings")
    rows = [
        {
            "kind": kind,
            "channels": [
                (channel, notifications.wants(request.user, kind.key, channel)) for channel in channels
            ],
        }
        for kind in kinds
    ]
    return render(request, "portal/me/notification_settings.html", {"rows": rows, "channels": channels})
