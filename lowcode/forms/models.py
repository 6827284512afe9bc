"""Forms as data: a definition with an editable draft, frozen versions, submissions.

A `FormDefinition` is either a stand-alone form (filled in on the portal or through the
API) or an *extension* bound to a built-in model (`target = "spaces.room"`): its fields
become custom fields of that model, stored in the model's `custom` JSON column.
Publishing freezes the draft into a `FormVersion`; a submission keeps the version it was
made with and is always shown and exported with that version's labels and types.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from identity.scope import Scope
from lowcode.forms.definition import empty_definition, text_in


class FormDefinition(models.Model):
    class Kind(models.TextChoices):
        FORM = "form", _("Form")
        EXTENSION = "extension", _("Custom fields of a record")

    code = models.SlugField(
        _("code"),
        max_length=50,
        unique=True,
        error_messages={"unique": _("Another form already has this code.")},
    )
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.FORM)
    target = models.CharField(
        _("record"), max_length=50, blank=True, help_text=_("For custom fields: the record they extend.")
    )
    draft = models.JSONField(default=empty_definition)
    draft_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    current_version = models.ForeignKey(
        "FormVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    workflow = models.ForeignKey(
        "lowcode_workflows.WorkflowDefinition",
        verbose_name=_("approval workflow"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="forms",
        help_text=_("Each submission goes through this workflow (its published version)."),
    )
    is_open = models.BooleanField(
        _("open for submissions"),
        default=True,
        help_text=_("Shown on the portal and accepted through the API."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope = Scope(module="forms")

    class Meta:
        verbose_name = _("form")
        verbose_name_plural = _("forms")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["target"],
                condition=models.Q(kind="extension"),
                name="one_extension_per_record",
                violation_error_code="duplicate_target",
                violation_error_message=_("That record already has custom fields; edit those."),
            ),
            models.CheckConstraint(
                condition=models.Q(kind="form", target="")
                | models.Q(kind="extension") & ~models.Q(target=""),
                name="extension_has_target",
                violation_error_code="target",
                violation_error_message=_("Custom fields must name the record they extend."),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return text_in({"zh": self.name, "en": self.name_en}, _lang())

    @property
    def has_unpublished_changes(self) -> bool:
        return self.current_version is None or self.current_version.definition != self.draft


def _lang() -> str:
    from django.utils.translation import get_language

    return get_language() or "zh-hans"


class FormVersion(models.Model):
    """An immutable published definition."""

    form = models.ForeignKey(FormDefinition, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    definition = models.JSONField()
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("what changed"), max_length=300, blank=True)

    scope = Scope(module="forms")

    class Meta:
        verbose_name = _("form version")
        ordering = ["form", "-number"]
        constraints = [models.UniqueConstraint(fields=["form", "number"], name="form_version_number_unique")]

    def __str__(self) -> str:
        return f"{self.form.code} v{self.number}"


class Submission(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    form = models.ForeignKey(FormDefinition, on_delete=models.PROTECT, related_name="submissions")
    version = models.ForeignKey(FormVersion, on_delete=models.PROTECT, related_name="submissions")
    data = models.JSONField(default=dict)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED)

    class Approval(models.TextChoices):
        NONE = "", _("No approval needed")
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        FAILED = "failed", _("Approval stopped")

    approval = models.CharField(
        _("approval"), max_length=20, choices=Approval.choices, default="", blank=True
    )
    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="form_submissions",
    )
    # The submitter's department when it was made: data scopes read it.
    department = models.ForeignKey(
        "identity.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope = Scope(module="forms", owner="submitter", department="department")

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["-submitted_at", "-pk"]
        indexes = [
            models.Index(fields=["form", "status", "-submitted_at", "-id"], name="submission_form_recent"),
            models.Index(fields=["submitter", "-created_at"], name="submission_by_submitter"),
        ]

    def __str__(self) -> str:
        return f"{self.form.code} #{self.pk}"


class SubmissionIndex(models.Model):
    """A narrow row per submitted submission, for lists: who, when, and the short answers.

    Filtering and counting read this table (a few hundred bytes a row) instead of the
    submissions with their full answers (docs/adr/0010-forms-as-data.md). Written by the
    actions in the transaction that submits or migrates a submission.
    """

    submission = models.OneToOneField(
        Submission, primary_key=True, on_delete=models.CASCADE, related_name="index"
    )
    form = models.ForeignKey(FormDefinition, on_delete=models.CASCADE, related_name="+")
    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    department = models.ForeignKey(
        "identity.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField()
    # Choices, numbers, ids, dates, texts up to 200 characters (validation.facets).
    facets = models.JSONField(default=dict)

    scope = Scope(module="forms", owner="submitter", department="department")

    class Meta:
        indexes = [
            GinIndex(fields=["facets"], name="submission_index_facets", opclasses=["jsonb_path_ops"]),
            models.Index(fields=["form", "-submitted_at", "-submission"], name="submission_index_recent"),
        ]

    def __str__(self) -> str:
        return f"index of submission {self.submission_id}"


class VersionMigration(models.Model):
    """Moving a form's submissions to a newer version, in the background, row by row."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    form = models.ForeignKey(FormDefinition, on_delete=models.CASCADE, related_name="migrations")
    to_version = models.ForeignKey(FormVersion, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    migrated = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    # [{"submission": id, "ok": bool, "errors": {key: [messages]}}]
    report = models.JSONField(default=list)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    scope = Scope(module="forms")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.form.code} → v{self.to_version.number} ({self.status})"
