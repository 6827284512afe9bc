"""Reads: the inbox ("waiting for me") across modules, and a person's requests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lowcode.workflows.models import Instance, Task


def inbox(user, *, subject_type: str | None = None) -> QuerySet:
    """Tasks waiting for `user`, newest first (served by the task_inbox index)."""
    if not getattr(user, "pk", None):
        return Task.objects.none()
    tasks = Task.objects.filter(assignee_id=user.pk, status=Task.Status.PENDING)
    if subject_type:
        tasks = tasks.filter(instance__subject_type=subject_type)
    return tasks.select_related("instance__version__workflow", "instance__requester").order_by(
        "-created_at", "-pk"
    )


def inbox_page(user, *, offset: int = 0, size: int = 25, subject_type: str | None = None) -> tuple[list, int]:
    """A page of the inbox and the count of everything waiting (for lists and badges)."""
    tasks = inbox(user, subject_type=subject_type)
    return list(tasks[offset : offset + size]), tasks.count()


def requested_by(user) -> QuerySet:
    if not getattr(user, "pk", None):
        return Instance.objects.none()
    return (
        Instance.objects.filter(requester_id=user.pk)
        .select_related("version__workflow")
        .order_by("-started_at")
    )


def my_tasks(user):
    """ "My tasks" on the portal: approvals waiting for the person."""
    from django.utils.translation import gettext as _

    from portal.views import PersonalItem

    items = []
    for task in inbox(user)[:50]:
        workflow = task.instance.version.workflow
        items.append(
            PersonalItem(
                title=f"{workflow.name} · {task.instance.subject_type} #{task.instance.subject_id}",
                url=reverse("workflows:task", kwargs={"pk": task.pk}),
                status=_("Waiting for you"),
                updated_at=task.created_at,
                module="workflows",
            )
        )
    return items


# What each kind of log entry says to a person reading the history (lowcode.workflows.actions).
LOG_LABELS = {
    "started": _("Submitted for approval"),
    "waiting": _("Waiting for approval"),
    "approved": _("Approved"),
    "rejected": _("Rejected"),
    "auto_approve": _("Approved automatically (time limit passed)"),
    "auto_reject": _("Rejected automatically (time limit passed)"),
    "commented": _("Commented"),
    "returned": _("Asked for more information"),
    "answered": _("Answered"),
    "delegated": _("Handed over"),
    "signer_added": _("Added a signer"),
    "urged": _("Sent a reminder"),
    "reminded": _("Reminded before the time limit"),
    "overdue": _("Time limit passed"),
    "reassigned": _("Reassigned after the time limit"),
    "out_of_office": _("Routed to a colleague (out of office)"),
    "sent_back": _("Sent back to an earlier step"),
    "skipped": _("Skipped: nobody to ask"),
    "fallback_admin": _("Nobody to ask: the administrators decide"),
    "notified": _("Copies sent"),
    "branch": _("Route chosen"),
    "automatic": _("Automatic action"),
    "todo_created": _("Task created"),
    "todo_done": _("Task done"),
}
# The end of a request (logged with its final status and no step).
FINAL_LABELS = {
    "approved": _("Approval complete"),
    "rejected": _("Request rejected"),
    "withdrawn": _("Withdrawn by the requester"),
    "failed": _("Stopped"),
}


@dataclass
class HistoryEntry:
    at: datetime
    kind: str
    label: str
    step_key: str
    actor: str
    comment: str
    attachments: list = field(default_factory=list)  # (name, url, size)


def history(instance: Instance) -> list[HistoryEntry]:
    """The request's log as people read it: labels, who, comments, attachments with links."""
    from django.core.files.storage import default_storage

    entries = []
    for entry in instance.log.select_related("actor").all():
        files = [
            (item.get("name") or item["key"], default_storage.url(item["key"]), item.get("size"))
            for item in entry.data.get("attachments", [])
            if isinstance(item, dict) and item.get("key")
        ]
        entries.append(
            HistoryEntry(
                at=entry.at,
                kind=entry.kind,
                label=str(
                    (FINAL_LABELS if not entry.step_key else LOG_LABELS).get(
                        entry.kind, LOG_LABELS.get(entry.kind, entry.kind)
                    )
                ),
                step_key=entry.step_key,
                actor=(entry.actor.full_name or entry.actor.username) if entry.actor else "",
                comment=entry.comment or entry.data.get("reason", ""),
                attachments=files,
            )
        )
    return entries


def latest_request(subject_type: str, subject_id: int) -> Instance | None:
    """The newest approval of a record (for the record's own page to link to)."""
    return (
        Instance.objects.filter(subject_type=subject_type, subject_id=subject_id)
        .select_related("version__workflow")
        .order_by("-started_at", "-pk")
        .first()
    )
