"""Demo reports and the default dashboard "后勤运行总览 / Operations overview" (idempotent).

Runs after the work orders' demo (ModuleSpec.demo_data in menu order); if the tenant has no
work-order dataset (module off) or no administrator, it does nothing."""

from __future__ import annotations

from django.db import transaction

from identity.models import Role, User
from lowcode.reports import actions, dashboards
from lowcode.reports.datasets import all_datasets
from lowcode.reports.models import Dashboard, SavedReport

DASHBOARD = ("后勤运行总览", "Operations overview")
LAST_12_MONTHS = {"field": "submitted", "op": "relative", "value": "last_12_months"}
# name, English, spec, view, widget width
REPORTS = [
    (
        "每月报修量",
        "Orders per month",
        {
            "dataset": "workorders.orders",
            "group_by": ["submitted:month"],
            "measures": ["count"],
            "filters": [LAST_12_MONTHS],
        },
        SavedReport.View.LINE,
        "full",
    ),
    (
        "各工种报修量",
        "Orders by trade",
        {
            "dataset": "workorders.orders",
            "group_by": ["trade"],
            "measures": ["count"],
            "filters": [LAST_12_MONTHS],
            "sort": [{"key": "count", "desc": True}],
        },
        SavedReport.View.BAR,
        "half",
    ),
    (
        "SLA 达标率（近 30 天）",
        "SLA compliance (last 30 days)",
        {
            "dataset": "workorders.orders",
            "measures": ["response_sla", "resolution_sla"],
            "filters": [{"field": "submitted", "op": "relative", "value": "last_30_days"}],
        },
        SavedReport.View.KPI,
        "half",
    ),
    (
        "各楼宇维修费用",
        "Repair cost by building",
        {
            "dataset": "workorders.orders",
            "group_by": ["building"],
            "measures": ["count", "cost_total"],
            "filters": [LAST_12_MONTHS],
            "sort": [{"key": "cost_total", "desc": True}],
        },
        SavedReport.View.TABLE,
        "full",
    ),
]
SHARED_WITH = ("dispatcher", "approver")


def seed(tenant) -> None:
    if "workorders.orders" not in all_datasets():
        return
    admin = User.objects.filter(is_active=True, roles__code="tenant_admin").order_by("pk").first()
    if admin is None or Dashboard.objects.filter(name=DASHBOARD[0]).exists():
        return
    roles = list(Role.objects.filter(code__in=SHARED_WITH))
    with transaction.atomic():
        made = []
        for name, name_en, spec, view, width in REPORTS:
            report = SavedReport.objects.filter(name=name).first()
            if report is None:
                report = actions.save_report(
                    SavedReport(name=name, name_en=name_en, spec=spec, view=view), user=admin, roles=roles
                )
            made.append((report, width))
        dashboard = dashboards.save_dashboard(
            Dashboard(name=DASHBOARD[0], name_en=DASHBOARD[1], is_default=True), user=admin, roles=roles
        )
        for report, width in made:
            dashboards.add_widget(dashboard, user=admin, report=report, width=width)
