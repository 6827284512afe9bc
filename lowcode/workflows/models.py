"""Approval workflows: definitions with frozen versions, running instances, tasks and a log.

Any record can be a subject (`subject_type`, e.g. "forms.submission", and its id); it
learns the outcome through the callback its module registered (lowcode.workflows.subjects).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from identity.scope import Scope


class WorkflowDefinition(models.Model):
    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    draft = models.JSONField(default=dict)
    current_version = models.ForeignKey(
        "WorkflowVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope = Scope(module="workflows")

    class Meta:
        ordering = ["code"]
        verbose_name = _("workflow")
        verbose_name_plural = _("workflows")

    def __str__(self) -> str:
        return self.name


class WorkflowVersion(models.Model):
    workflow = models.ForeignKey(WorkflowDefinition, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    definition = models.JSONField()
    published_at = models.DateTimeField(default=timezone.now)

    scope = Scope(module="workflows")

    class Meta:
        ordering = ["workflow", "-number"]
        constraints = [models.UniqueConstraint(fields=["workflow", "number"], name="workflow_version_unique")]

    def __str__(self) -> str:
        return f"{self.workflow.code} v{self.number}"


class Instance(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", _("In progress")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        FAILED = "failed", _("Stopped")

    version = models.ForeignKey(WorkflowVersion, on_delete=models.PROTECT, related_name="instances")
    subject_type = models.CharField(max_length=50)
    subject_id = models.BigIntegerField()
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="workflow_requests"
    )
    department = models.ForeignKey(
        "identity.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RUNNING)
    step_index = models.PositiveIntegerField(default=0)
    step_key = models.CharField(max_length=40, blank=True)
    round = models.PositiveIntegerField(default=0)
    context = models.JSONField(default=dict)
    reason = models.CharField(max_length=300, blank=True)  # why it stopped (status failed)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    scope = Scope(module="workflows", owner="requester", department="department")

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id"],
                condition=models.Q(status="running"),
                name="one_running_workflow_per_subject",
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject_type}:{self.subject_id} ({self.status})"


class Task(models.Model):
    """One person's part of one round of an approval step."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("No longer needed")
        DELEGATED = "delegated", _("Handed to someone else")
        RETURNED = "returned", _("Returned for more information")
        ANSWERED = "answered", _("Answered")
        DONE = "done", _("Done")
        HELD = "held", _("Waiting for an added signer")

    class Kind(models.TextChoices):
        DECIDE = "decide", _("Approve or reject")
        RESPOND = "respond", _("Give more information")
        TODO = "todo", _("To do")

    instance = models.ForeignKey(Instance, on_delete=models.CASCADE, related_name="tasks")
    step_key = models.CharField(max_length=40)
    round = models.PositiveIntegerField()
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="workflow_tasks"
    )
    # Acting for someone away (out-of-office delegation) or who handed the task over.
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Added to the step by an approver (加签): must approve whatever the step's mode.
    must_approve = models.BooleanField(default=False)
    # 前加签: this task waits (status held) until the task of the person added before it is approved.
    held_for = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.DECIDE)
    # Timers (business hours, kernel.calendar): acted on by actions.sweep.
    due_at = models.DateTimeField(null=True, blank=True)
    remind_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    scope = Scope(module="workflows", owner="assignee")

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["instance", "step_key", "round", "assignee"], name="one_task_per_person_and_round"
            )
        ]
        indexes = [
            models.Index(fields=["assignee", "status", "-created_at"], name="task_inbox"),
            models.Index(fields=["due_at"], name="task_due", condition=models.Q(status="pending")),
        ]

    def __str__(self) -> str:
        return f"{self.instance_id}/{self.step_key}#{self.round} → {self.assignee_id} ({self.status})"


class Delegation(models.Model):
    """Out of office: tasks for `delegator` go to `delegate` between two dates (both recorded)."""

    delegator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="delegations"
    )
    delegate = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    # Workflow codes; empty: every workflow.
    workflows = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    scope = Scope(module="workflows", owner="delegator")

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="delegation_dates"
            ),
            models.CheckConstraint(
                condition=~models.Q(delegate=models.F("delegator")), name="delegation_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.delegator_id} → {self.delegate_id} ({self.starts_on}–{self.ends_on})"


class LogEntry(models.Model):
    """Every start, decision, skip, jump and end, with who and when."""

    instance = models.ForeignKey(Instance, on_delete=models.CASCADE, related_name="log")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=30)
    step_key = models.CharField(max_length=40, blank=True)
    comment = models.TextField(blank=True)
    data = models.JSONField(default=dict)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.instance_id} {self.kind} {self.step_key}"
