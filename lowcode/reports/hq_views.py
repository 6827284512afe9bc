"""Group headquarters' overview (集团管控): the same work-order KPIs for every subsidiary and
in total, from the public rollups (platform/analytics). Only an HQ tenant's people holding
`reports.hq` see it; a subsidiary has no such page."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from identity.access import has_code


def _hq_tenant():
    from tenants.models import Tenant

    tenant = Tenant.objects.filter(schema_name=connection.schema_name).first()
    if tenant is None or tenant.kind != "group":
        raise Http404("not a group headquarters")
    return tenant


def _months(end: dt.date, count: int = 12) -> tuple[dt.date, dt.date]:
    first = end.replace(day=1)
    year, month = first.year, first.month - (count - 1)
    while month < 1:
        month += 12
        year -= 1
    following = dt.date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return dt.date(year, month, 1), following


def _ratio(part, whole):
    return round(100.0 * part / whole, 1) if whole else None


def overview(request):
    tenant = _hq_tenant()
    if not has_code(request.user, "reports.hq"):
        raise PermissionDenied
    from analytics import hq

    start, end = _months(timezone.localdate())
    subsidiaries = {t.pk: t for t in hq.subsidiaries(tenant)}
    rows = hq.kpis(tenant, start, end)
    per_tenant: dict[int, dict] = {}
    months = sorted({row["month"] for row in rows})
    for row in rows:
        entry = per_tenant.setdefault(
            row["tenant"], {"orders": 0, "completed": 0, "cost": 0, "months": {}, "rating_w": 0.0, "rated": 0}
        )
        entry["orders"] += row["orders"]
        entry["completed"] += row["completed"]
        entry["cost"] += float(row["cost"] or 0)
        entry["months"][row["month"]] = row["orders"]
    league = []
    for pk, sub in subsidiaries.items():
        figures = hq.kpis_total(tenant, start, end, only=pk)
        entry = per_tenant.get(pk, {"orders": 0, "completed": 0, "cost": 0, "months": {}})
        league.append({"tenant": sub, "entry": entry, **figures})
    league.sort(key=lambda item: (-(item["response_sla"] or -1), item["tenant"].name))
    total = hq.kpis_total(tenant, start, end)
    chart = {
        "months": [m.strftime("%Y-%m") for m in months],
        "series": [
            {"name": item["tenant"].name, "data": [item["entry"]["months"].get(m, 0) for m in months]}
            for item in league
        ],
    }
    return render(
        request,
        "lowcode_reports/console/hq.html",
        {
            "page_title": _("Group overview"),
            "hq": tenant,
            "start": start,
            "end": end - dt.timedelta(days=1),
            "league": league,
            "total": total,
            "chart": chart,
            "trades": hq.by_trade(tenant, start, end),
        },
    )
