"""The work-order dataset of the report builder (lowcode.reports)."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from lowcode.reports import datasets as d
from modules.workorders.models import Priority, WorkOrder


def _custom_dimensions() -> list[d.Dimension]:
    """Custom fields of the trades' published extension forms, as dimensions."""
    from lowcode.forms.extensions import current_fields
    from modules.workorders.models import Trade

    found, seen = [], set()
    for trade in Trade.objects.filter(is_active=True):
        for field in current_fields(f"workorders.trade.{trade.code}"):
            if field.key in seen:
                continue
            seen.add(field.key)
            kind = "number" if field.type in ("number", "money") else "category"
            found.append(
                d.Dimension(
                    f"custom.{field.key}",
                    field.label(get_language() or "zh-hans"),
                    f"custom__{field.key}",
                    kind,
                )
            )
    return found


def datasets() -> list[d.Dataset]:
    responded = Q(responded_at__isnull=False)
    completed = Q(completed_at__isnull=False)
    return [
        d.Dataset(
            key="workorders.orders",
            label=_("Work orders"),
            module="workorders",
            rows=lambda: WorkOrder.objects.all(),
            time="submitted_at",
            dimensions=[
                d.Dimension("submitted", _("Reported"), "submitted_at", "time"),
                d.Dimension("completed", _("Completed"), "completed_at", "time"),
                d.Dimension("trade", _("Trade"), "trade__code", label_path="trade__name"),
                d.Dimension("building", _("Building"), "building_id", label_path="building__name"),
                d.Dimension("department", _("Department"), "department_id", label_path="department__name"),
                d.Dimension("team", _("Team"), "team_id", label_path="team__name"),
                d.Dimension("worker", _("Worker"), "assignee_id", label_path="assignee__full_name"),
                d.Dimension("status", _("Status"), "status", choices=dict(WorkOrder.Status.choices)),
                d.Dimension("priority", _("Priority"), "priority", choices=dict(Priority.choices)),
                d.Dimension("channel", _("Channel"), "channel", choices=dict(WorkOrder.Channel.choices)),
                d.Dimension("rating", _("Rating"), "rating", "number"),
                d.Dimension("chargeable", _("Chargeable"), "chargeable", "boolean"),
                d.Dimension("response_breached", _("Response late"), "response_breached", "boolean"),
                d.Dimension("resolution_breached", _("Resolution late"), "resolution_breached", "boolean"),
                *_custom_dimensions(),
            ],
            columns=[
                d.Column("number", _("Number"), "number"),
                d.Column("building", _("Building"), "building__name"),
                d.Column("room", _("Location"), "room__name"),
                d.Column("trade", _("Trade"), "trade__name"),
                d.Column("status", _("Status"), "status", choices=dict(WorkOrder.Status.choices)),
                d.Column("priority", _("Priority"), "priority", choices=dict(Priority.choices)),
                d.Column("submitted", _("Reported"), "submitted_at"),
                d.Column("completed", _("Completed"), "completed_at"),
                d.Column("worker", _("Worker"), "assignee__full_name"),
                d.Column("cost", _("Cost (¥)"), "total_cost"),
            ],
            record_url=lambda pk: reverse("workorders_desk:order", kwargs={"pk": pk}),
            measures=[
                d.Measure("count", _("Orders"), d.count),
                d.Measure("cost_total", _("Cost (¥)"), d.total("total_cost"), "¥"),
                d.Measure("cost_avg", _("Average cost (¥)"), d.average("total_cost"), "¥"),
                d.Measure("labour_minutes", _("Labour (minutes)"), d.total("labour_minutes"), "min"),
                d.Measure("rating_avg", _("Average rating"), d.average("rating")),
                d.Measure("rating_min", _("Lowest rating"), d.lowest("rating")),
                d.Measure(
                    "response_p50",
                    _("Response time, median (min)"),
                    d.minutes_between("submitted_at", "responded_at", 0.5),
                    "min",
                ),
                d.Measure(
                    "response_p90",
                    _("Response time, p90 (min)"),
                    d.minutes_between("submitted_at", "responded_at", 0.9),
                    "min",
                ),
                d.Measure(
                    "resolution_p50",
                    _("Resolution time, median (min)"),
                    d.minutes_between("submitted_at", "completed_at", 0.5),
                    "min",
                ),
                d.Measure(
                    "resolution_p90",
                    _("Resolution time, p90 (min)"),
                    d.minutes_between("submitted_at", "completed_at", 0.9),
                    "min",
                ),
                d.Measure(
                    "response_sla",
                    _("Responded in time (%)"),
                    d.share(Q(response_breached=False), of=responded),
                    "%",
                ),
                d.Measure(
                    "resolution_sla",
                    _("Resolved in time (%)"),
                    d.share(Q(resolution_breached=False), of=completed),
                    "%",
                ),
            ],
        )
    ]
