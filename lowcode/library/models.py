"""Templates a group headquarters publishes for its subsidiaries, and who adopted which.

Both tables live in the public schema (the HQ and its subsidiaries have schemas of their
own). A template is a self-contained snapshot (`payload`) of a report, form or workflow of
the HQ; a subsidiary adopts it as a copy made in its own schema through the modules'
actions (lowcode/library/actions.py). Users are per schema, so people are kept as names.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TemplateKind(models.TextChoices):
    REPORT = "report", _("Report")
    FORM = "form", _("Form")
    WORKFLOW = "workflow", _("Workflow")


class GroupTemplate(models.Model):
    publisher = models.ForeignKey(
        "tenants.Tenant", on_delete=models.CASCADE, related_name="+", verbose_name=_("published by")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=TemplateKind.choices)
    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    # The HQ's own object the snapshot was taken from (an id in the HQ's schema).
    source_id = models.BigIntegerField()
    payload = models.JSONField(default=dict)
    version = models.PositiveIntegerField(_("version"), default=1)
    published_by = models.CharField(_("published by"), max_length=200, blank=True)
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    withdrawn = models.BooleanField(_("withdrawn"), default=False)

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("group template")
        verbose_name_plural = _("group templates")
        constraints = [
            models.UniqueConstraint(fields=["publisher", "kind", "code"], name="group_template_code"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.code} v{self.version}"

    @property
    def display_name(self) -> str:
        from django.utils.translation import get_language

        if (get_language() or "").startswith("en") and self.name_en:
            return self.name_en
        return self.name


class GroupTemplateAdoption(models.Model):
    """A copy of a template made in a subsidiary's schema (`local_kind` + `local_id`)."""

    template = models.ForeignKey(GroupTemplate, on_delete=models.CASCADE, related_name="adoptions")
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField(_("adopted version"))
    local_kind = models.CharField(max_length=10, choices=TemplateKind.choices)
    local_id = models.BigIntegerField()
    adopted_at = models.DateTimeField(_("adopted at"), default=timezone.now)
    adopted_by = models.CharField(_("adopted by"), max_length=200, blank=True)

    class Meta:
        ordering = ["-adopted_at", "-pk"]
        indexes = [models.Index(fields=["tenant", "template"], name="group_template_adoption")]

    def __str__(self) -> str:
        return f"{self.template} → {self.tenant_id} ({self.local_kind} {self.local_id})"
