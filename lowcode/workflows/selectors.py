"""Reads: the inbox ("waiting for me") across modules, and a person's requests."""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse

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
