"""Saved reports: a report spec (see compiler.py), how to show it, and who may see it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from identity.scope import Scope


class SavedReport(models.Model):
    class View(models.TextChoices):
        TABLE = "table", _("Table")
        BAR = "bar", _("Bar chart")
        LINE = "line", _("Line chart")
        PIE = "pie", _("Pie chart")
        KPI = "kpi", _("KPI card")

    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    spec = models.JSONField(_("report"), default=dict)
    view = models.CharField(_("view"), max_length=10, choices=View.choices, default=View.TABLE)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="saved_reports",
        verbose_name=_("owner"),
    )
    shared_with_roles = models.ManyToManyField(
        "identity.Role", blank=True, related_name="shared_reports", verbose_name=_("shared with roles")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope = Scope(module="reports", owner="owner")

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("saved report")
        verbose_name_plural = _("saved reports")

    def __str__(self):
        return self.name

    @property
    def display_name(self) -> str:
        from django.utils.translation import get_language

        if (get_language() or "").startswith("en") and self.name_en:
            return self.name_en
        return self.name
