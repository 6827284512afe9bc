"""Reads: the desk's lists, a worker's jobs, a reporter's requests, an order's timeline."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from modules.workorders.models import Event, WorkOrder

Status = WorkOrder.Status


def orders() -> QuerySet:
    return WorkOrder.objects.select_related(
        "trade", "room__floor__building", "reporter", "assignee", "team", "department"
    )


def board() -> QuerySet:
    """The dispatch board: orders waiting for the desk (submitted or accepted), oldest first."""
    return orders().filter(status__in=(Status.SUBMITTED, Status.ACCEPTED)).order_by("submitted_at", "pk")


def for_worker(user) -> QuerySet:
    """A worker's jobs: assigned to them, or waiting in the queue of one of their teams."""
    if not getattr(user, "pk", None):
        return WorkOrder.objects.none()
    teams = user.repair_teams.values("pk")
    return (
        orders()
        .filter(
            Q(assignee_id=user.pk) | Q(assignee__isnull=True, team_id__in=teams),
            status__in=(Status.DISPATCHED, Status.IN_PROGRESS),
        )
        .order_by("response_due_at", "submitted_at")
    )


def reported_by(user) -> QuerySet:
    if not getattr(user, "pk", None):
        return WorkOrder.objects.none()
    return orders().filter(reporter_id=user.pk).order_by("-submitted_at", "-pk")


EVENT_LABELS = {
    "submitted": _("Reported"),
    "approval_started": _("Sent for pre-approval"),
    "approved": _("Pre-approval passed"),
    "approval_refused": _("Pre-approval refused"),
    "accepted": _("Accepted by the desk"),
    "dispatched": _("Dispatched"),
    "reassigned": _("Given to another worker"),
    "taken": _("Taken by the worker"),
    "started": _("Work started"),
    "photos": _("Photos added"),
    "material": _("Material used"),
    "material_removed": _("Material removed"),
    "completed": _("Completed"),
    "verified": _("Checked and rated by the reporter"),
    "auto_verified": _("Taken as accepted (no answer in time)"),
    "reopened": _("Reopened: not fixed"),
    "rejected": _("Rejected"),
    "cancelled": _("Cancelled by the reporter"),
    "closed": _("Closed"),
    "revisited": _("Revisit by the desk"),
    "complaint": _("Complaint"),
    "rectification": _("Rectification opened"),
    "rectified": _("Rectification done"),
    "escalated": _("Escalated: not responded to in time"),
}


def timeline(order: WorkOrder) -> list[dict]:
    return [
        {
            "at": event.at,
            "kind": event.kind,
            "label": str(EVENT_LABELS.get(event.kind, event.kind)),
            "actor": (event.actor.full_name or event.actor.username) if event.actor else "",
            "note": event.note,
            "to_status": event.to_status,
        }
        for event in Event.objects.filter(order=order).select_related("actor")
    ]


def my_requests(user):
    from portal.views import PersonalItem

    return [
        PersonalItem(
            title=f"{order.number} · {order.trade} · {order.room}",
            url=reverse("workorders:detail", kwargs={"pk": order.pk}),
            status=order.get_status_display(),
            updated_at=order.submitted_at,
            module="workorders",
        )
        for order in reported_by(user)[:50]
    ]


def my_tasks(user):
    from portal.views import PersonalItem

    items = [
        PersonalItem(
            title=f"{order.number} · {order.trade} · {order.room}",
            url=reverse("workorders:detail", kwargs={"pk": order.pk}),
            status=order.get_status_display(),
            updated_at=order.dispatched_at or order.submitted_at,
            module="workorders",
        )
        for order in for_worker(user)[:50]
    ]
    waiting = reported_by(user).filter(status=Status.COMPLETED)[:20]
    items += [
        PersonalItem(
            title=f"{order.number} · {order.trade} · {order.room}",
            url=reverse("workorders:detail", kwargs={"pk": order.pk}),
            status=str(_("Done: please check and rate")),
            updated_at=order.completed_at or order.submitted_at,
            module="workorders",
        )
        for order in waiting
    ]
    return items


def extension_targets() -> dict[str, str]:
    """Custom fields per category: one extension form per trade."""
    from django.utils.translation import gettext as _t

    from modules.workorders.models import Trade

    return {
        f"workorders.trade.{trade.code}": _t("Work orders: %(trade)s") % {"trade": trade.display_name}
        for trade in Trade.objects.filter(is_active=True)
    }
