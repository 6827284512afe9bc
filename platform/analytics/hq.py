"""Group headquarters' consolidated work-order KPIs, read from the public rollups.

Only the subsidiaries of the HQ (its descendants at any depth) are ever read: an HQ viewer
cannot reach a tenant outside its group through these functions.

Every figure comes from one grouped statement (`figures`): the per-subsidiary rows and the
group's total are two grouping sets of the same query, so the total is the sum of the
parts by construction. Medians are exact: they are computed over the response and
resolution durations the rollup cells keep (unnested), never averaged from cell medians.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection

KPI_KEYS = (
    "orders",
    "completed",
    "response_sla",
    "resolution_sla",
    "rating_avg",
    "cost",
    "response_p50",
    "resolution_p50",
)
# What a breakdown may be by: the SQL of the key (a whitelist; nothing else reaches the query).
BREAKDOWNS = {
    None: None,
    "month": "date_trunc('month', r.day)::date",
    "trade": "r.trade",
}


def subsidiaries(hq) -> list:
    """The HQ's descendants at any depth (not the HQ itself), by name; one query."""
    from tenants.models import Tenant

    table = connection.ops.quote_name(Tenant._meta.db_table)
    found = Tenant.objects.raw(
        f"""WITH RECURSIVE tree(id) AS (
              SELECT id FROM {table} WHERE parent_id = %s
              UNION
              SELECT t.id FROM {table} t JOIN tree ON t.parent_id = tree.id
            )
            SELECT t.* FROM {table} t JOIN tree ON tree.id = t.id
            WHERE NOT t.is_template AND t.id <> %s
            ORDER BY t.name, t.id""",
        [hq.pk, hq.pk],
    )
    return list(found)


_FIGURES = """
WITH cells AS (
  SELECT r.tenant_id, {key} AS k, r.orders, r.completed, r.responded, r.responded_in_time,
         r.resolved_in_time, r.rated, r.rating_sum, r.cost, r.response_minutes, r.resolution_minutes
  FROM analytics_workorderrollup r
  WHERE r.tenant_id = ANY(%(tenants)s) AND r.day >= %(start)s AND r.day < %(end)s
),
sums AS (
  SELECT GROUPING(tenant_id) AS whole, tenant_id, k,
         sum(orders) AS orders, sum(completed) AS completed,
         100.0 * sum(responded_in_time) / nullif(sum(responded), 0) AS response_sla,
         100.0 * sum(resolved_in_time) / nullif(sum(completed), 0) AS resolution_sla,
         sum(rating_sum)::float / nullif(sum(rated), 0) AS rating_avg,
         sum(cost) AS cost
  FROM cells GROUP BY GROUPING SETS ((tenant_id, k), (k))
),
response AS (
  SELECT GROUPING(c.tenant_id) AS whole, c.tenant_id, c.k,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY m) AS p50
  FROM cells c CROSS JOIN LATERAL unnest(c.response_minutes) AS m
  GROUP BY GROUPING SETS ((c.tenant_id, c.k), (c.k))
),
resolution AS (
  SELECT GROUPING(c.tenant_id) AS whole, c.tenant_id, c.k,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY m) AS p50
  FROM cells c CROSS JOIN LATERAL unnest(c.resolution_minutes) AS m
  GROUP BY GROUPING SETS ((c.tenant_id, c.k), (c.k))
)
SELECT s.whole, s.tenant_id, s.k, s.orders, s.completed, s.response_sla, s.resolution_sla,
       s.rating_avg, s.cost, p.p50, q.p50
FROM sums s
LEFT JOIN response p
  ON p.whole = s.whole AND p.tenant_id IS NOT DISTINCT FROM s.tenant_id AND p.k IS NOT DISTINCT FROM s.k
LEFT JOIN resolution q
  ON q.whole = s.whole AND q.tenant_id IS NOT DISTINCT FROM s.tenant_id AND q.k IS NOT DISTINCT FROM s.k
ORDER BY s.whole, s.tenant_id, s.k
"""


def _statement(by: str | None) -> str:
    if by not in BREAKDOWNS:
        raise ValueError(f"unknown breakdown {by!r}")
    # Without a breakdown the key is one constant: (tenant, key) is per subsidiary, (key) the total.
    return _FIGURES.format(key=BREAKDOWNS[by] or "NULL::text")


def figures(
    hq, start: dt.date, end: dt.date, *, by: str | None = None, only: int | None = None, group=None
) -> list[dict]:
    """The KPIs of [start, end) per subsidiary (`tenant`: its pk) and for the whole group
    (`tenant`: None), in one statement; with `by` ("month" or "trade") per key as well.

    Rows: {"tenant", "key", "orders", "completed", "response_sla", "resolution_sla",
    "rating_avg", "cost", "response_p50", "resolution_p50"}, the total's rows last.
    Subsidiaries without orders in the period have no rows; `only` narrows the group to one
    of its subsidiaries (anything else reads nothing); `group` is `subsidiaries(hq)` when the
    caller has it already."""
    tenants = [t.pk for t in (group if group is not None else subsidiaries(hq))]
    if only is not None:
        tenants = [pk for pk in tenants if pk == only]
    if not tenants:
        return []
    with connection.cursor() as cursor:
        cursor.execute(_statement(by), {"tenants": tenants, "start": start, "end": end})
        rows = cursor.fetchall()
    found = []
    for whole, tenant, key, *values in rows:
        if whole and values[0] is None:
            continue  # the total of an empty period
        row = {"tenant": None if whole else tenant, "key": key}
        row.update(zip(KPI_KEYS, values, strict=True))
        found.append(row)
    return found


def overview(hq, start: dt.date, end: dt.date) -> dict:
    """{"subsidiaries": [{"tenant": Tenant, KPIs…}, …] (every subsidiary, none left out),
    "total": {KPIs…}} for [start, end), in one grouped query."""
    subs = subsidiaries(hq)
    rows = figures(hq, start, end, group=subs) if subs else []
    by_tenant = {row["tenant"]: row for row in rows}
    empty = dict.fromkeys(KPI_KEYS)
    empty.update(orders=0, completed=0, cost=0)
    listed = []
    for sub in subs:
        row = by_tenant.get(sub.pk)
        listed.append({"tenant": sub, **{key: (row or empty)[key] for key in KPI_KEYS}})
    total = by_tenant.get(None)
    return {"subsidiaries": listed, "total": {key: (total or empty)[key] for key in KPI_KEYS}}


def by_category(hq, start: dt.date, end: dt.date, *, only: int | None = None) -> list[dict]:
    """Orders and cost (and the other KPIs) per subsidiary × trade, and per trade for the whole
    group (`tenant` None); `key` is the trade's code (the same codes everywhere)."""
    return figures(hq, start, end, by="trade", only=only)


def by_month(hq, start: dt.date, end: dt.date, *, only: int | None = None) -> list[dict]:
    """The KPIs per subsidiary × month and per month for the whole group (`tenant` None);
    `key` is the month's first day."""
    return figures(hq, start, end, by="month", only=only)


def kpis(hq, start: dt.date, end: dt.date) -> list[dict]:
    """Per subsidiary and month: orders, completed, SLA compliance (response, resolution),
    average rating, cost, median response and resolution minutes."""
    return [
        {"tenant": row["tenant"], "month": row["key"], **{key: row[key] for key in KPI_KEYS}}
        for row in by_month(hq, start, end)
        if row["tenant"] is not None
    ]


def by_trade(hq, start: dt.date, end: dt.date) -> list[dict]:
    """Orders and cost per subsidiary and trade (the categories are the same codes everywhere)."""
    return [
        {"tenant": row["tenant"], "trade": row["key"], "orders": row["orders"], "cost": row["cost"]}
        for row in by_category(hq, start, end)
        if row["tenant"] is not None
    ]


def rounded(figures_row: dict) -> dict:
    """KPIs as shown: percentages, ratings and minutes to one decimal."""
    return {
        key: (
            round(float(value), 1)
            if value is not None and key in KPI_KEYS and key not in ("orders", "completed", "cost")
            else value
        )
        for key, value in figures_row.items()
    }


def kpis_total(hq, start: dt.date, end: dt.date, *, only: int | None = None) -> dict:
    """The KPIs over the whole group (or one of its subsidiaries, `only`) for the period."""
    total = next((row for row in figures(hq, start, end, only=only) if row["tenant"] is None), None)
    if total is None:
        return dict.fromkeys(KPI_KEYS)
    return rounded({key: total[key] for key in KPI_KEYS})


def trade_labels() -> dict[str, str]:
    """Trade code → its name in the active language (the default trades every tenant has)."""
    from django.utils.translation import get_language

    from modules.workorders.defaults import TRADES

    english = (get_language() or "").startswith("en")
    return {code: (name_en if english else name) for code, name, name_en in TRADES}
