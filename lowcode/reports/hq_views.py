"""Group headquarters' consolidated dashboard (集团管控): the same work-order KPIs for every
subsidiary and in total, from the public rollups (platform/analytics): KPI cards, league
tables sortable by each KPI, cost and orders by category, orders by month, and a drill-down
into one subsidiary. Only an HQ tenant's people holding `reports.hq` see it; a subsidiary
has no such page, and a tenant outside the group is never shown (404)."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from identity.access import has_code

PERIODS = (
    ("last_12_months", gettext_lazy("Last 12 months")),
    ("this_year", gettext_lazy("This year")),
    ("last_month", gettext_lazy("Last month")),
    ("custom", gettext_lazy("Custom months")),
)
MAX_MONTHS = 36
# League columns: key → (label, higher is better).
LEAGUE = {
    "orders": (gettext_lazy("Orders"), True),
    "response_sla": (gettext_lazy("Responded in time (%)"), True),
    "resolution_sla": (gettext_lazy("Resolved in time (%)"), True),
    "response_p50": (gettext_lazy("Response time, median (min)"), False),
    "resolution_p50": (gettext_lazy("Resolution time, median (min)"), False),
    "rating_avg": (gettext_lazy("Average rating"), True),
    "cost": (gettext_lazy("Cost (¥)"), True),
}
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def _hq_tenant():
    from tenants.models import Tenant

    tenant = Tenant.objects.filter(schema_name=connection.schema_name).first()
    if tenant is None or tenant.kind != "group":
        raise Http404("not a group headquarters")
    return tenant


def _guard(request):
    tenant = _hq_tenant()
    if not has_code(request.user, "reports.hq"):
        raise PermissionDenied
    return tenant


def _add_months(day: dt.date, count: int) -> dt.date:
    year, index = divmod(day.month - 1 + count, 12)
    return day.replace(year=day.year + year, month=index + 1, day=1)


def _months(end: dt.date, count: int = 12) -> tuple[dt.date, dt.date]:
    """The `count` months up to and including the month of `end`: [first day, next month)."""
    first = end.replace(day=1)
    return _add_months(first, -(count - 1)), _add_months(first, 1)


def _parse_month(text: str | None) -> dt.date | None:
    match = _MONTH.match((text or "").strip())
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        return None
    return dt.date(year, month, 1)


def period_of(params, today: dt.date) -> dict:
    """The period a request asks for: {"choice", "start", "end" (exclusive), "from", "to",
    "errors" {field: message}}. Bad custom months are explained per field and the default
    period (last 12 months) is shown instead."""
    choice = params.get("period") or "last_12_months"
    errors: dict[str, str] = {}
    values = {"from": params.get("from", ""), "to": params.get("to", "")}
    if choice not in dict(PERIODS):
        errors["period"] = _("Choose one of the periods offered.")
        choice = "last_12_months"
    first = today.replace(day=1)
    if choice == "this_year":
        start, end = first.replace(month=1), _add_months(first, 1)
    elif choice == "last_month":
        start, end = _add_months(first, -1), first
    elif choice == "custom":
        start, end = _parse_month(values["from"]), _parse_month(values["to"])
        if start is None:
            errors["from"] = _("Give the first month as YYYY-MM, e.g. 2026-01.")
        if end is None:
            errors["to"] = _("Give the last month as YYYY-MM, e.g. 2026-12.")
        if start and end:
            if end < start:
                errors["to"] = _("The last month cannot come before the first.")
            elif (end.year - start.year) * 12 + end.month - start.month + 1 > MAX_MONTHS:
                errors["to"] = _("Choose at most %(n)d months.") % {"n": MAX_MONTHS}
        if errors:
            start = end = None
        else:
            end = _add_months(end, 1)
    else:
        start, end = _months(today)
    if start is None:
        choice = "custom"
        start, end = _months(today)
    return {
        "choice": choice,
        "start": start,
        "end": end,
        "last_day": end - dt.timedelta(days=1),
        "from": values["from"] or start.strftime("%Y-%m"),
        "to": values["to"] or (end - dt.timedelta(days=1)).strftime("%Y-%m"),
        "errors": errors,
        "query": f"period={choice}&from={start:%Y-%m}&to={end - dt.timedelta(days=1):%Y-%m}",
    }


def _month_list(start: dt.date, end: dt.date) -> list[dt.date]:
    months, month = [], start
    while month < end:
        months.append(month)
        month = _add_months(month, 1)
    return months


def _num(value) -> float:
    return float(value) if value is not None else 0.0


def league_of(rows: list[dict], sort: str) -> list[dict]:
    """Subsidiaries ranked by `sort` (best first: highest, or lowest for durations); those
    without the figure come last, unranked. Ties share a rank."""
    _label, higher = LEAGUE[sort]
    known = [row for row in rows if row[sort] is not None]
    unknown = [row for row in rows if row[sort] is None]
    known.sort(key=lambda row: (-_num(row[sort]) if higher else _num(row[sort]), row["tenant"].name))
    ranked, previous, rank = [], object(), 0
    for index, row in enumerate(known, start=1):
        if row[sort] != previous:
            rank, previous = index, row[sort]
        ranked.append({**row, "rank": rank})
    return ranked + [{**row, "rank": None} for row in sorted(unknown, key=lambda r: r["tenant"].name)]


def _shown(row: dict) -> dict:
    from analytics.hq import rounded

    return rounded(row)


def overview(request):
    tenant = _guard(request)
    from analytics import hq

    period = period_of(request.GET, timezone.localdate())
    start, end = period["start"], period["end"]
    sort = request.GET.get("sort") if request.GET.get("sort") in LEAGUE else "orders"
    consolidated = hq.overview(tenant, start, end)
    subs = {row["tenant"].pk: row["tenant"] for row in consolidated["subsidiaries"]}
    league = league_of([_shown(row) for row in consolidated["subsidiaries"]], sort)
    names = hq.trade_labels()

    # Cost and orders by category: one row per trade, one column per subsidiary, and the total.
    categories: dict[str, dict] = {}
    for row in hq.by_category(tenant, start, end):
        entry = categories.setdefault(
            row["key"], {"code": row["key"], "name": names.get(row["key"], row["key"]), "cells": {}}
        )
        entry["cells"][row["tenant"]] = {"orders": row["orders"], "cost": row["cost"]}
    category_rows = sorted(categories.values(), key=lambda item: -_num(item["cells"][None]["cost"]))
    order = [item["tenant"].pk for item in league]
    for item in category_rows:
        item["per_tenant"] = [item["cells"].get(pk, {"orders": 0, "cost": 0}) for pk in order]
        item["total"] = item["cells"][None]

    # Orders by month: a line per subsidiary and the total.
    months = _month_list(start, end)
    monthly: dict[int | None, dict] = {}
    for row in hq.by_month(tenant, start, end):
        monthly.setdefault(row["tenant"], {})[row["key"]] = row["orders"]
    month_labels = [m.strftime("%Y-%m") for m in months]
    month_chart = {
        "kind": "line",
        "categories": month_labels,
        "series": [
            {"name": subs[pk].name, "data": [monthly.get(pk, {}).get(m, 0) for m in months]} for pk in order
        ]
        + [{"name": str(_("Group total")), "data": [monthly.get(None, {}).get(m, 0) for m in months]}],
    }
    cost_chart = {
        "kind": "stack",
        "categories": [item["tenant"].name for item in league],
        "series": [
            {"name": item["name"], "data": [_num(cell["cost"]) for cell in item["per_tenant"]]}
            for item in category_rows
        ],
    }
    return render(
        request,
        "lowcode_reports/console/hq.html",
        {
            "page_title": _("Group overview"),
            "hq": tenant,
            "period": period,
            "periods": PERIODS,
            "start": start,
            "end": period["last_day"],
            "league": league,
            "sort": sort,
            "columns": [(key, label) for key, (label, _higher) in LEAGUE.items()],
            "total": _shown(consolidated["total"]),
            "categories": category_rows,
            "month_table": [
                {
                    "label": label,
                    "cells": [monthly.get(pk, {}).get(m, 0) for pk in order],
                    "total": monthly.get(None, {}).get(m, 0),
                }
                for label, m in zip(month_labels, months, strict=True)
            ],
            "month_chart": month_chart,
            "cost_chart": cost_chart,
        },
    )


def subsidiary(request, schema_name: str):
    """One subsidiary's figures by month and by category (only a subsidiary of this HQ)."""
    tenant = _guard(request)
    from analytics import hq

    sub = next((t for t in hq.subsidiaries(tenant) if t.schema_name == schema_name), None)
    if sub is None:
        raise Http404("not a subsidiary of this group")
    period = period_of(request.GET, timezone.localdate())
    start, end = period["start"], period["end"]
    names = hq.trade_labels()
    by_month = {
        row["key"]: _shown(row) for row in hq.by_month(tenant, start, end, only=sub.pk) if row["tenant"]
    }
    months = _month_list(start, end)
    empty = dict.fromkeys(hq.KPI_KEYS)
    month_rows = [{"label": m.strftime("%Y-%m"), **by_month.get(m, {**empty, "orders": 0})} for m in months]
    category_rows = sorted(
        (
            {"code": row["key"], "name": names.get(row["key"], row["key"]), **_shown(row)}
            for row in hq.by_category(tenant, start, end, only=sub.pk)
            if row["tenant"]
        ),
        key=lambda row: -_num(row["cost"]),
    )
    return render(
        request,
        "lowcode_reports/console/hq_subsidiary.html",
        {
            "page_title": _("%(name)s: figures") % {"name": sub.name},
            "hq": tenant,
            "sub": sub,
            "period": period,
            "periods": PERIODS,
            "start": start,
            "end": period["last_day"],
            "total": hq.kpis_total(tenant, start, end, only=sub.pk),
            "months": month_rows,
            "categories": category_rows,
            "month_chart": {
                "kind": "line",
                "categories": [row["label"] for row in month_rows],
                "series": [{"name": str(_("Orders")), "data": [row["orders"] or 0 for row in month_rows]}],
            },
            "cost_chart": {
                "kind": "bar",
                "categories": [row["name"] for row in category_rows],
                "series": [
                    {"name": str(_("Cost (¥)")), "data": [_num(row["cost"]) for row in category_rows]}
                ],
            },
        },
    )
