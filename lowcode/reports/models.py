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
        PIVOT = "pivot", _("Pivot table")

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


class Dashboard(models.Model):
    """Saved reports laid out as widgets, shared with roles; one may be the tenant's default
    (shown on the console home)."""

    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="dashboards",
        verbose_name=_("owner"),
    )
    shared_with_roles = models.ManyToManyField(
        "identity.Role", blank=True, related_name="shared_dashboards", verbose_name=_("shared with roles")
    )
    is_default = models.BooleanField(
        _("default dashboard"), default=False, help_text=_("Shown on the console home.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope = Scope(module="reports", owner="owner")

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("dashboard")
        verbose_name_plural = _("dashboards")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="reports_one_default_dashboard",
            )
        ]

    def __str__(self):
        return self.name

    @property
    def display_name(self) -> str:
        from django.utils.translation import get_language

        if (get_language() or "").startswith("en") and self.name_en:
            return self.name_en
        return self.name


class Widget(models.Model):
    """One saved report on a dashboard, drawn as its own view or another one."""

    class Width(models.TextChoices):
        HALF = "half", _("Half width")
        FULL = "full", _("Full width")

    dashboard = models.ForeignKey(Dashboard, on_delete=models.CASCADE, related_name="widgets")
    report = models.ForeignKey(SavedReport, on_delete=models.CASCADE, related_name="widgets")
    title = models.CharField(_("title"), max_length=200, blank=True, help_text=_("Empty: the report's name."))
    view = models.CharField(
        _("view"),
        max_length=10,
        choices=SavedReport.View.choices,
        blank=True,
        help_text=_("Empty: the report's view."),
    )
    width = models.CharField(_("width"), max_length=4, choices=Width.choices, default=Width.HALF)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("widget")
        verbose_name_plural = _("widgets")

    def __str__(self):
        return self.title or str(self.report)


class Schedule(models.Model):
    """A saved report sent by e-mail, run as its owner (their data scope), to tenant users."""

    class Frequency(models.TextChoices):
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly")
        MONTHLY = "monthly", _("Monthly")

    class Format(models.TextChoices):
        XLSX = "xlsx", "XLSX"
        CSV = "csv", "CSV"
        PDF = "pdf", "PDF"

    report = models.ForeignKey(SavedReport, on_delete=models.CASCADE, related_name="schedules")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="report_schedules",
        verbose_name=_("owner"),
    )
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices)
    weekday = models.PositiveSmallIntegerField(
        _("weekday"), null=True, blank=True, help_text=_("Weekly: 0 Monday … 6 Sunday.")
    )
    day_of_month = models.PositiveSmallIntegerField(
        _("day of month"), null=True, blank=True, help_text=_("Monthly: 1–28.")
    )
    hour = models.PositiveSmallIntegerField(
        _("hour"), default=8, help_text=_("0–23, the organisation's time.")
    )
    format = models.CharField(_("format"), max_length=4, choices=Format.choices, default=Format.XLSX)
    recipients = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="+", verbose_name=_("recipients")
    )
    active = models.BooleanField(_("active"), default=True)
    next_run_at = models.DateTimeField(_("next run"), null=True, blank=True, db_index=True)
    last_sent_at = models.DateTimeField(_("last sent"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope = Scope(module="reports", owner="owner")

    class Meta:
        ordering = ["report", "pk"]
        verbose_name = _("report schedule")
        verbose_name_plural = _("report schedules")

    def __str__(self):
        return f"{self.report} · {self.get_frequency_display()}"
