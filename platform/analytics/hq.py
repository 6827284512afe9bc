"""Group headquarters' consolidated work-order KPIs, read from the public rollups.

Only the subsidiaries of the HQ (its descendants at any depth) are ever read: an HQ viewer
cannot reach a tenant outside its group through these functions.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection


def subsidiaries(hq) -> list:
    """The HQ's descendants at any depth (not the HQ itself)."""
    from tenants.models import Tenant

    found, frontier = [], [hq.pk]
    while frontier:
        children = list(Tenant.objects.filter(parent_id__in=frontier, is_template=False))
        found.extend(children)
        frontier = [child.pk for child in children]
    return found


_KPIS = """
WITH cells AS (
  SELECT r.*, date_trunc('month', r.day)::date AS month
  FROM analytics_workorderrollup r
  WHERE r.tenant_id = ANY(%(tenants)s) AND r.day >= %(start)s AND r.day < %(end)s
)
SELECT c.tenant_id, c.month, sum(c.orders), sum(c.completed),
       100.0 * sum(c.responded_in_time) / nullif(sum(c.responded), 0),
       100.0 * sum(c.resolved_in_time) / nullif(sum(c.completed), 0),
       sum(c.rating_sum)::float / nullif(sum(c.rated), 0), sum(c.cost),
       (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY m) FROM cells c2, unnest(c2.response_minutes) m
         WHERE c2.tenant_id = c.tenant_id AND c2.month = c.month),
       (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY m) FROM cells c2, unnest(c2.resolution_minutes) m
         WHERE c2.tenant_id = c.tenant_id AND c2.month = c.month)
FROM cells c GROUP BY c.tenant_id, c.month ORDER BY c.tenant_id, c.month
"""


def kpis(hq, start: dt.date, end: dt.date) -> list[dict]:
    """Per subsidiary and month: orders, completed, SLA compliance (response, resolution),
    average rating, cost, median response and resolution minutes."""
    tenants = [t.pk for t in subsidiaries(hq)]
    if not tenants:
        return []
    with connection.cursor() as cursor:
        cursor.execute(_KPIS, {"tenants": tenants, "start": start, "end": end})
        rows = cursor.fetchall()
    keys = (
        "tenant",
        "month",
        "orders",
        "completed",
        "response_sla",
        "resolution_sla",
        "rating_avg",
        "cost",
        "response_p50",
        "resolution_p50",
    )
    return [dict(zip(keys, row, strict=True)) for row in rows]


def by_trade(hq, start: dt.date, end: dt.date) -> list[dict]:
    """Orders and cost per subsidiary and trade (the categories are the same codes everywhere)."""
    tenants = [t.pk for t in subsidiaries(hq)]
    if not tenants:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tenant_id, trade, sum(orders), sum(cost) FROM analytics_workorderrollup "
            "WHERE tenant_id = ANY(%s) AND day >= %s AND day < %s GROUP BY 1, 2 ORDER BY 1, 2",
            [tenants, start, end],
        )
        return [
            {"tenant": tenant, "trade": trade, "orders": orders, "cost": cost}
            for tenant, trade, orders, cost in cursor.fetchall()
        ]


_TOTAL = """
SELECT sum(orders), sum(completed),
       100.0 * sum(responded_in_time) / nullif(sum(responded), 0),
       100.0 * sum(resolved_in_time) / nullif(sum(completed), 0),
       sum(rating_sum)::float / nullif(sum(rated), 0), sum(cost),
       (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY m)
          FROM analytics_workorderrollup r2, unnest(r2.response_minutes) m
         WHERE r2.tenant_id = ANY(%(tenants)s) AND r2.day >= %(start)s AND r2.day < %(end)s),
       (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY m)
          FROM analytics_workorderrollup r2, unnest(r2.resolution_minutes) m
         WHERE r2.tenant_id = ANY(%(tenants)s) AND r2.day >= %(start)s AND r2.day < %(end)s)
FROM analytics_workorderrollup
WHERE tenant_id = ANY(%(tenants)s) AND day >= %(start)s AND day < %(end)s
"""


def kpis_total(hq, start: dt.date, end: dt.date, *, only: int | None = None) -> dict:
    """The KPIs over the whole group (or one of its subsidiaries, `only`) for the period."""
    tenants = [t.pk for t in subsidiaries(hq)]
    if only is not None:
        tenants = [pk for pk in tenants if pk == only]
    keys = (
        "orders",
        "completed",
        "response_sla",
        "resolution_sla",
        "rating_avg",
        "cost",
        "response_p50",
        "resolution_p50",
    )
    if not tenants:
        return dict.fromkeys(keys)
    with connection.cursor() as cursor:
        cursor.execute(_TOTAL, {"tenants": tenants, "start": start, "end": end})
        row = cursor.fetchone()
    return {
        key: (
            round(float(value), 1)
            if value is not None and key not in ("orders", "completed", "cost")
            else value
        )
        for key, value in zip(keys, row, strict=True)
    }
