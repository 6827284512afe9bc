"""Keeping the public rollups equal to the tenants' own records.

`refresh(tenant, days)` recomputes whole cells (tenant × day × trade × priority) from the
tenant's orders in one statement and replaces them: incremental updates (from the outbox,
`consumers.py`) and the nightly reconcile (`reconcile`) are the same operation, so they
cannot drift apart.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction

from analytics.models import WorkOrderRollup

# One statement per refresh: the cells of the given days, from the tenant's own table.
_CELLS = """
SELECT (w.submitted_at AT TIME ZONE %(zone)s)::date AS day, t.code, w.priority,
       count(*),
       count(*) FILTER (WHERE w.completed_at IS NOT NULL),
       count(*) FILTER (WHERE w.responded_at IS NOT NULL),
       count(*) FILTER (WHERE w.responded_at IS NOT NULL AND NOT w.response_breached),
       count(*) FILTER (WHERE w.completed_at IS NOT NULL AND NOT w.resolution_breached),
       count(w.rating), coalesce(sum(w.rating), 0), coalesce(sum(w.total_cost), 0),
       coalesce(array_agg(extract(epoch FROM w.responded_at - w.submitted_at) / 60.0)
                FILTER (WHERE w.responded_at IS NOT NULL), '{}'),
       coalesce(array_agg(extract(epoch FROM w.completed_at - w.submitted_at) / 60.0)
                FILTER (WHERE w.completed_at IS NOT NULL), '{}')
FROM workorders_workorder w JOIN workorders_trade t ON t.id = w.trade_id
WHERE true %(days)s
GROUP BY 1, 2, 3
"""


def _zone(tenant) -> str:
    return getattr(tenant, "time_zone", None) or "Asia/Shanghai"


def refresh(tenant, days: set[dt.date] | None = None) -> int:
    """Recompute the tenant's cells of `days` (None: every day); returns cells written.

    Runs in the tenant's schema (the orders) and writes the public table."""
    from kernel.context import tenant_schema

    with tenant_schema(tenant.schema_name), transaction.atomic():
        params = {"zone": _zone(tenant)}
        where = ""
        if days is not None:
            if not days:
                return 0
            where = "AND (w.submitted_at AT TIME ZONE %(zone)s)::date = ANY(%(days)s)"
            params["days"] = sorted(days)
        with connection.cursor() as cursor:
            cursor.execute(_CELLS.replace("%(days)s", where), params)
            cells = cursor.fetchall()
        # One DELETE (QuerySet.delete() would first fetch every cell, arrays and all, to
        # collect it: 40 s for a subsidiary of 100,000 orders).
        with connection.cursor() as cursor:
            if days is None:
                cursor.execute("DELETE FROM analytics_workorderrollup WHERE tenant_id = %s", [tenant.pk])
            else:
                cursor.execute(
                    "DELETE FROM analytics_workorderrollup WHERE tenant_id = %s AND day = ANY(%s)",
                    [tenant.pk, sorted(days)],
                )
        WorkOrderRollup.objects.bulk_create(
            [
                WorkOrderRollup(
                    tenant_id=tenant.pk,
                    day=day,
                    trade=trade,
                    priority=priority,
                    orders=orders,
                    completed=completed,
                    responded=responded,
                    responded_in_time=responded_in_time,
                    resolved_in_time=resolved_in_time,
                    rated=rated,
                    rating_sum=rating_sum,
                    cost=cost,
                    response_minutes=[float(x) for x in response],
                    resolution_minutes=[float(x) for x in resolution],
                )
                for (
                    day,
                    trade,
                    priority,
                    orders,
                    completed,
                    responded,
                    responded_in_time,
                    resolved_in_time,
                    rated,
                    rating_sum,
                    cost,
                    response,
                    resolution,
                ) in cells
            ]
        )
    return len(cells)


def day_of(tenant, moment: dt.datetime) -> dt.date:
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo(_zone(tenant))).date()


def reconcile(tenant) -> int:
    """The nightly check: every cell of the tenant recomputed."""
    return refresh(tenant, None)
