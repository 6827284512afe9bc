"""Work orders (报修 / 维修): trades, teams, dispatch rules, SLA rules, and the orders with their
timeline, photos, materials, revisits, complaints and rectifications."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from identity.scope import Scope
from kernel.models import BilingualNamed


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class Trade(BilingualNamed):
    """工种: what kind of fault (water, electricity, lifts…); tenant-editable."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    # A category that needs approval before anyone is sent (e.g. renovations): its workflow.
    approval_workflow = models.ForeignKey(
        "lowcode_workflows.WorkflowDefinition",
        verbose_name=_("pre-approval workflow"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Custom fields of this category: an extension form ("workorders.trade.<code>").
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    scope = Scope(module="workorders")

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("trade")
        verbose_name_plural = _("trades")


class Team(BilingualNamed):
    """班组: workers of one or more trades, with a supervisor."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("supervisor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supervised_teams",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("members"), blank=True, related_name="repair_teams"
    )
    trades = models.ManyToManyField(Trade, verbose_name=_("trades"), blank=True, related_name="teams")
    is_active = models.BooleanField(_("in use"), default=True)

    scope = Scope(module="workorders")

    class Meta:
        ordering = ["code"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")


class DispatchRule(models.Model):
    """Where a new order goes by itself: the first matching rule (lowest order) wins.

    A rule with a worker sends the order to that worker (区域包干: the worker who owns the
    building); one with only a team puts it in the team's queue. Empty trade or building
    match any. No rule matches: the order waits on the desk's dispatch board."""

    order = models.PositiveIntegerField(_("order"), default=100)
    trade = models.ForeignKey(
        Trade, verbose_name=_("trade"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    building = models.ForeignKey(
        "spaces.Building",
        verbose_name=_("building"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="rules")
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("worker"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    is_active = models.BooleanField(_("in use"), default=True)

    scope = Scope(module="workorders")

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("dispatch rule")
        verbose_name_plural = _("dispatch rules")

    def __str__(self) -> str:
        what = " · ".join(str(x) for x in (self.trade, self.building) if x) or _("any order")
        return f"{what} → {self.worker or self.team}"


class SlaRule(models.Model):
    """Response and resolution targets for a trade (empty: any) and a priority.

    The targets are copied onto each order when it is submitted: a changed rule applies to
    new orders only."""

    trade = models.ForeignKey(
        Trade, verbose_name=_("trade"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices)
    response_minutes = models.PositiveIntegerField(
        _("respond within (minutes)"), validators=[MinValueValidator(1)]
    )
    resolution_minutes = models.PositiveIntegerField(
        _("resolve within (minutes)"), validators=[MinValueValidator(1)]
    )
    business_hours = models.BooleanField(
        _("count working hours only"), default=False, help_text=_("Use the organisation's work calendar.")
    )
    remind_before_minutes = models.PositiveIntegerField(_("remind before (minutes)"), default=30)

    scope = Scope(module="workorders")

    class Meta:
        ordering = ["trade", "priority"]
        verbose_name = _("SLA rule")
        verbose_name_plural = _("SLA rules")
        constraints = [
            models.UniqueConstraint(
                fields=["trade", "priority"],
                name="sla_rule_unique",
                nulls_distinct=False,
                violation_error_code="duplicate",
                violation_error_message=_("There is already a rule for this trade and priority."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.trade or _('any trade')} · {self.get_priority_display()}"


class Settings(models.Model):
    """The organisation's work-order settings (one row)."""

    auto_accept_days = models.PositiveSmallIntegerField(
        _("taken as accepted after (days)"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
    )
    reopen_days = models.PositiveSmallIntegerField(
        _("reporter may reopen within (days)"), default=7, validators=[MaxValueValidator(90)]
    )
    escalate_after_minutes = models.PositiveIntegerField(
        _("escalate when not responded to after (minutes)"), default=120
    )
    hourly_rate = models.DecimalField(
        _("labour rate (¥ per hour)"), max_digits=8, decimal_places=2, default=Decimal("60.00")
    )
    default_chargeable = models.BooleanField(_("charge departments by default"), default=True)

    scope = Scope(module="workorders")

    class Meta:
        verbose_name = _("work-order settings")
        verbose_name_plural = _("work-order settings")

    def __str__(self) -> str:
        return str(_("work-order settings"))

    @classmethod
    def current(cls) -> Settings:
        found = cls.objects.first()
        return found if found is not None else cls()


class WorkOrder(models.Model):
    class Status(models.TextChoices):
        PENDING_APPROVAL = "pending_approval", _("Awaiting approval")
        SUBMITTED = "submitted", _("Submitted")
        ACCEPTED = "accepted", _("Accepted")
        DISPATCHED = "dispatched", _("Dispatched")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        VERIFIED = "verified", _("Verified")
        CLOSED = "closed", _("Closed")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")

    class Channel(models.TextChoices):
        PORTAL = "portal", _("Portal")
        QR = "qr", _("QR code")
        PHONE = "phone", _("Phone call")
        WALK_IN = "walk_in", _("Walk-in")
        API = "api", _("API")

    number = models.CharField(_("number"), max_length=20, unique=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.PORTAL)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    trade = models.ForeignKey(Trade, verbose_name=_("trade"), on_delete=models.PROTECT, related_name="orders")
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    room = models.ForeignKey(
        "spaces.Room", verbose_name=_("location"), on_delete=models.PROTECT, related_name="work_orders"
    )
    building = models.ForeignKey(
        "spaces.Building", on_delete=models.PROTECT, related_name="+", editable=False
    )
    description = models.TextField(_("description"))
    custom = models.JSONField(default=dict, blank=True)
    preferred_time = models.CharField(_("preferred time"), max_length=100, blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reporter"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reported_orders",
    )
    department = models.ForeignKey(
        "identity.Department",
        verbose_name=_("charged department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    contact_name = models.CharField(_("contact"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    # Logged by the desk (phone, walk-in): who called, when, and which desk officer took it.
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    desk_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="orders")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("worker"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_orders",
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)  # the worker took it (接单)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # SLA: targets copied from the rule at submission (business hours already counted in).
    response_due_at = models.DateTimeField(null=True, blank=True)
    resolution_due_at = models.DateTimeField(null=True, blank=True)
    sla_rule = models.JSONField(default=dict, blank=True)
    response_breached = models.BooleanField(default=False)
    resolution_breached = models.BooleanField(default=False)
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    # Work and cost.
    completion_notes = models.TextField(_("completion notes"), blank=True)
    labour_minutes = models.PositiveIntegerField(_("labour (minutes)"), default=0)
    labour_cost = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    material_cost = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    total_cost = models.DecimalField(_("cost (¥)"), max_digits=12, decimal_places=2, default=0)
    chargeable = models.BooleanField(_("chargeable"), default=True)
    # Outcome.
    reject_reason = models.CharField(_("reason"), max_length=500, blank=True)
    rating = models.PositiveSmallIntegerField(
        _("rating"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    rating_comment = models.TextField(_("rating comment"), blank=True)
    auto_accepted = models.BooleanField(default=False)
    reopen_count = models.PositiveSmallIntegerField(default=0)

    scope = Scope(module="workorders", owner="reporter", department="department", building="building")
    # Not content the CMS links to: skip Wagtail's reference index (about 10 ms per save).
    wagtail_reference_index_ignore = True

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        indexes = [
            models.Index(fields=["status", "-submitted_at"], name="wo_status_time"),
            models.Index(fields=["assignee", "status"], name="wo_assignee"),
            models.Index(fields=["team", "status"], name="wo_team"),
            models.Index(fields=["reporter", "-submitted_at"], name="wo_reporter"),
            models.Index(fields=["-submitted_at"], name="wo_time"),
            models.Index(fields=["room", "trade"], name="wo_room_trade"),
            models.Index(
                fields=["response_due_at"],
                name="wo_response_due",
                condition=models.Q(responded_at__isnull=True, escalated_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    OPEN = ("pending_approval", "submitted", "accepted", "dispatched", "in_progress")


# The desk's own acts on the timeline (the automatic dispatch has no actor): the statistics count
# them per officer and period through the partial index "wo_event_desk".
DESK_EVENT_KINDS = ("accepted", "dispatched", "reassigned", "rejected", "revisited", "closed")


class Event(models.Model):
    """The timeline: every transition and note, with who and when."""

    wagtail_reference_index_ignore = True
    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=30)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [
            models.Index(
                fields=["at"],
                name="wo_event_desk",
                include=["actor", "kind", "order"],
                condition=models.Q(kind__in=DESK_EVENT_KINDS, actor__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.kind}"


class Photo(models.Model):
    class Stage(models.TextChoices):
        REPORT = "report", _("When reported")
        BEFORE = "before", _("Before work")
        AFTER = "after", _("After work")

    wagtail_reference_index_ignore = True
    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="photos")
    stage = models.CharField(max_length=10, choices=Stage.choices, default=Stage.REPORT)
    key = models.CharField(max_length=300)
    name = models.CharField(max_length=200, blank=True)
    size = models.PositiveIntegerField(default=0)
    content_type = models.CharField(max_length=100, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name or self.key


class MaterialLine(models.Model):
    wagtail_reference_index_ignore = True
    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="materials")
    item = models.ForeignKey(
        "inventory.Item", verbose_name=_("item"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.DecimalField(
        _("quantity"), max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    unit_cost = models.DecimalField(_("unit cost (¥)"), max_digits=12, decimal_places=2)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at", "pk"]

    def __str__(self) -> str:
        return f"{self.item_id} × {self.quantity}"

    @property
    def amount(self) -> Decimal:
        return (self.quantity * self.unit_cost).quantize(Decimal("0.01"))


class Revisit(models.Model):
    """回访: the desk calls the reporter back and records how it went."""

    class Outcome(models.TextChoices):
        SATISFIED = "satisfied", _("Satisfied")
        NEUTRAL = "neutral", _("Neither")
        DISSATISFIED = "dissatisfied", _("Dissatisfied")
        UNREACHABLE = "unreachable", _("Could not be reached")

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="revisits")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.order_id} {self.outcome}"


class Complaint(models.Model):
    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="complaints")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("complaint"))
    at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    response = models.TextField(_("response"), blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.text[:30]}"


class Rectification(models.Model):
    """整改: opened by a low rating, for the supervisor, about the worker."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="rectifications")
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="rectifications"
    )
    reason = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.reason[:30]}"
