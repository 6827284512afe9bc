"""Reports on big data: one tenant of 10 M orders, and a group of 100 subsidiaries (10 M orders).

    .venv/bin/python benchmarks/reporting.py [--orders 10000000] [--subsidiaries 100]
        [--runs 5] [--keep] [--skip-solo] [--skip-group]

Against the embedded services (the database of DATABASE_URL, development by default), with
DEBUG off. Builds, with benchmarks/workorders.py's loader (SQL generate_series, the audit
trigger off for the bulk load only, no timeline events — reports do not read them):

  solo   one hospital with `--orders` (10,000,000) orders over two years;
  group  a group headquarters with `--subsidiaries` (100) subsidiary hospitals holding
         `--orders` orders between them (100,000 each), then each subsidiary's public
         rollups computed (analytics.rollups.reconcile: what the nightly job does).

and prints, side by side in one run (median of `--runs` after one warm-up; wall clock in this
process, so Python, the driver and PostgreSQL are all in):

  statistic   one statistic over the solo tenant's 10 M orders through the report compiler
              (lowcode.reports.compiler.run, as the tenant administrator who sees all):
              (a) last month's orders with response SLA % and median resolution (a KPI card),
              (b) the orders of the last 12 months by month (a line chart).
              Target <= 0.3 s (the customer asks <= 5 s).
  hq          the HQ compound summary over 12 months x subsidiaries x trades — orders, cost,
              response and resolution SLA %, average rating, median response and resolution —
              (1) from the public rollups, (2) the same cube computed naively by UNION ALL over
              the subsidiaries' own tables; the two are compared cell by cell and the ratio
              printed. Also (3) the whole group-overview page (GET /console/reports/group/
              as the HQ viewer). Target <= 2 s (the customer asks <= 120 s).
  export      a complex report exported to XLSX through the console (GET …/export.xlsx as the
              administrator): last 12 months by month x building x trade with 6 measures
              (count, cost, median response, p90 resolution, response SLA %, rating).
              Target <= 20 s (the customer asks <= 180 s).

Tenants are deleted afterwards unless --keep (then reruns skip the setup).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import statistics
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("bench_workorders", HERE / "workorders.py")
loader = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(loader)  # sets sys.path, the settings and django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from kernel.context import tenant_schema  # noqa: E402
from tenants import actions as tenant_actions  # noqa: E402
from tenants.models import Tenant  # noqa: E402

SOLO = "bench_rep_solo"
HQ = "bench_rep_hq"
SUB = "bench_rep_s{:03d}"
PASSWORD = "Bench-Password-2026"
TARGETS = {"statistic": 0.3, "hq": 2.0, "export": 20.0}
EXPORT_SPEC = {
    "dataset": "workorders.orders",
    "filters": [{"field": "submitted", "op": "relative", "value": "last_12_months"}],
    "group_by": ["submitted:month", "building", "trade"],
    "measures": ["count", "cost_total", "response_p50", "resolution_p90", "response_sla", "rating_avg"],
    "limit": 10000,
}


def _provision(schema: str, name: str, kind: str, parent: str | None = None) -> Tenant:
    return tenant_actions.provision_tenant(
        tenant_actions.TenantRequest(
            schema_name=schema,
            name=name,
            kind=kind,
            domain=f"{schema.replace('_', '-')}.localhost",
            admin_email=f"admin@{schema.replace('_', '-')}.example",
            admin_password=PASSWORD,
            parent_schema=parent,
            modules=["inventory", "workorders"] if kind != "group" else [],
        ),
        actor="benchmark",
    )


def setup_solo(orders: int) -> None:
    kept = Tenant.objects.filter(schema_name=SOLO).first()
    if kept is not None:
        with tenant_schema(SOLO), connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM workorders_workorder")
            if cursor.fetchone()[0]:
                print(f"solo: {SOLO} kept from an earlier run")
                return
        tenant_actions.delete_tenant(kept, confirm_schema=SOLO, actor="benchmark")  # an interrupted setup
    started = time.perf_counter()
    _provision(SOLO, "报表基准医院", "hospital")
    with tenant_schema(SOLO):
        loader._organisation()
        loader._load(orders, events=False)
    print(f"solo: set up in {time.perf_counter() - started:.0f} s")


def setup_group(orders: int, count: int, *, reconcile: bool = False) -> None:
    from analytics import rollups

    started = time.perf_counter()
    if not Tenant.objects.filter(schema_name=HQ).exists():
        _provision(HQ, "报表基准集团", "group")
    loaded = 0
    for index in range(count):
        schema = SUB.format(index)
        kept = Tenant.objects.filter(schema_name=schema).first()
        if kept is not None:
            with tenant_schema(schema), connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM workorders_workorder")
                if cursor.fetchone()[0]:
                    continue
            tenant_actions.delete_tenant(kept, confirm_schema=schema, actor="benchmark")
        _provision(schema, f"基准子公司{index + 1:03d}", "hospital", parent=HQ)
        with tenant_schema(schema):
            loader._organisation(building_count=4, division_count=2)
            loader._load(orders // count, events=False)
        loaded += 1
        print(
            f"group: subsidiary {index + 1}/{count} loaded ({time.perf_counter() - started:.0f} s)",
            flush=True,
        )
    if not loaded and not reconcile:
        print("group: kept from an earlier run (rollups as they are; --reconcile recomputes them)")
        return
    cells, rolled = 0, time.perf_counter()
    for tenant in Tenant.objects.filter(schema_name__startswith="bench_rep_s").order_by("schema_name"):
        cells += rollups.reconcile(tenant)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE analytics_workorderrollup")
    print(
        f"group: {count} subsidiaries set up in {time.perf_counter() - started:.0f} s; rollups of all of them "
        f"recomputed in {time.perf_counter() - rolled:.1f} s ({cells:,} cells)"
    )


def _timed(work, runs: int) -> tuple[float, object]:
    result = work()  # warm-up
    spent = []
    for _ in range(runs):
        started = time.perf_counter()
        result = work()
        spent.append(time.perf_counter() - started)
    return statistics.median(spent), result


def _line(name: str, what: str, seconds: float, target: float | None = None) -> None:
    verdict = (
        "" if target is None else f"  (target <= {target:g} s: {'met' if seconds <= target else 'MISSED'})"
    )
    print(f"  {name:<10} {what:<78} {seconds:8.3f} s{verdict}")


def _admin(schema: str):
    from identity.models import User

    return User.objects.get(email=f"admin@{schema.replace('_', '-')}.example")


def measure_solo(runs: int) -> None:
    from lowcode.reports import actions, compiler
    from lowcode.reports.models import SavedReport

    with tenant_schema(SOLO):
        admin = _admin(SOLO)
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM workorders_workorder")
            total = cursor.fetchone()[0]
        kpi = {
            "dataset": "workorders.orders",
            "filters": [{"field": "submitted", "op": "relative", "value": "last_month"}],
            "measures": ["count", "response_sla", "resolution_p50"],
        }
        seconds, result = _timed(lambda: compiler.run(kpi, principal=admin), runs)
        row = result.rows[0]
        _line(
            "statistic",
            f"(a) last month of {total:,}: {row['count']:,} orders, SLA {row['response_sla']} %, "
            f"median {row['resolution_p50']} min",
            seconds,
            TARGETS["statistic"],
        )
        by_month = {
            "dataset": "workorders.orders",
            "filters": [{"field": "submitted", "op": "relative", "value": "last_12_months"}],
            "group_by": ["submitted:month"],
            "measures": ["count"],
        }
        seconds, result = _timed(lambda: compiler.run(by_month, principal=admin), runs)
        counted = sum(row["count"] for row in result.rows)
        _line(
            "statistic",
            f"(b) last 12 months by month: {len(result.rows)} months, {counted:,} orders",
            seconds,
            TARGETS["statistic"],
        )
        report = SavedReport.objects.filter(name="基准导出").first() or actions.save_report(
            SavedReport(name="基准导出", spec=EXPORT_SPEC, view="table"), user=admin
        )
        client = Client(HTTP_HOST=f"{SOLO.replace('_', '-')}.localhost")
        client.force_login(admin)

        def export():
            response = client.get(f"/console/reports/{report.pk}/export.xlsx")
            if response.status_code != 200:
                raise SystemExit(f"export refused: {response.status_code}")
            return response

        seconds, response = _timed(export, max(1, runs // 2))
        import io

        import openpyxl

        sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).active
        _line(
            "export",
            f"XLSX, 12 months x building x trade, 6 measures: {sheet.max_row - 1:,} rows, "
            f"{len(response.content) // 1024:,} KB",
            seconds,
            TARGETS["export"],
        )


# The cube: subsidiary x month x trade, every KPI. Medians are exact: over the durations the
# cells keep (unnested), as percentile_cont over the orders themselves.
CUBE_ROLLUPS = """
WITH cells AS (
  SELECT tenant_id, date_trunc('month', day)::date AS month, trade, orders, completed, responded,
         responded_in_time, resolved_in_time, rated, rating_sum, cost, response_minutes, resolution_minutes
    FROM analytics_workorderrollup
   WHERE tenant_id = ANY(%(tenants)s) AND day >= %(start)s AND day < %(end)s
), sums AS (
  SELECT tenant_id, month, trade, sum(orders) AS orders, sum(cost) AS cost,
         round(100.0 * sum(responded_in_time) / nullif(sum(responded), 0), 2) AS response_sla,
         round(100.0 * sum(resolved_in_time) / nullif(sum(completed), 0), 2) AS resolution_sla,
         round(sum(rating_sum)::numeric / nullif(sum(rated), 0), 2) AS rating
    FROM cells GROUP BY 1, 2, 3
), response AS (
  SELECT tenant_id, month, trade, percentile_cont(0.5) WITHIN GROUP (ORDER BY m) AS p50
    FROM cells, unnest(response_minutes) m GROUP BY 1, 2, 3
), resolution AS (
  SELECT tenant_id, month, trade, percentile_cont(0.5) WITHIN GROUP (ORDER BY m) AS p50
    FROM cells, unnest(resolution_minutes) m GROUP BY 1, 2, 3
)
SELECT s.tenant_id, s.month, s.trade, s.orders, s.cost, s.response_sla, s.resolution_sla, s.rating,
       round(a.p50::numeric, 2), round(b.p50::numeric, 2)
  FROM sums s
  LEFT JOIN response a USING (tenant_id, month, trade)
  LEFT JOIN resolution b USING (tenant_id, month, trade)
 ORDER BY 1, 2, 3
"""

_ONE_SCHEMA = """
SELECT {tenant} AS tenant_id, (w.submitted_at AT TIME ZONE 'Asia/Shanghai')::date AS day, t.code AS trade,
       w.completed_at, w.responded_at, w.submitted_at, w.response_breached, w.resolution_breached,
       w.rating, w.total_cost
  FROM {schema}.workorders_workorder w JOIN {schema}.workorders_trade t ON t.id = w.trade_id
 WHERE w.submitted_at >= %(start_at)s AND w.submitted_at < %(end_at)s
"""

CUBE_UNION = """
WITH orders AS ({union})
SELECT tenant_id, date_trunc('month', day)::date AS month, trade,
       count(*), coalesce(sum(total_cost), 0)::numeric(14, 2),
       round(100.0 * count(*) FILTER (WHERE responded_at IS NOT NULL AND NOT response_breached)
             / nullif(count(*) FILTER (WHERE responded_at IS NOT NULL), 0), 2),
       round(100.0 * count(*) FILTER (WHERE completed_at IS NOT NULL AND NOT resolution_breached)
             / nullif(count(*) FILTER (WHERE completed_at IS NOT NULL), 0), 2),
       round(avg(rating)::numeric, 2),
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM responded_at - submitted_at) / 60.0)
              FILTER (WHERE responded_at IS NOT NULL))::numeric, 2),
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM completed_at - submitted_at) / 60.0)
              FILTER (WHERE completed_at IS NOT NULL))::numeric, 2)
  FROM orders
 GROUP BY 1, 2, 3
 ORDER BY 1, 2, 3
"""


def measure_group(runs: int) -> None:
    from zoneinfo import ZoneInfo

    from analytics import hq as consolidation

    hq = Tenant.objects.get(schema_name=HQ)
    subsidiaries = sorted(consolidation.subsidiaries(hq), key=lambda t: t.schema_name)
    today = timezone.localdate()
    end = dt.date(today.year + (today.month == 12), today.month % 12 + 1, 1)
    start = dt.date(end.year - 1, end.month, 1)
    zone = ZoneInfo("Asia/Shanghai")
    params = {
        "tenants": [t.pk for t in subsidiaries],
        "start": start,
        "end": end,
        "start_at": dt.datetime.combine(start, dt.time(0), zone),
        "end_at": dt.datetime.combine(end, dt.time(0), zone),
    }
    connection.set_schema_to_public()

    def query(sql):
        def work():
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()

        return work

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), sum(orders) FROM analytics_workorderrollup WHERE tenant_id = ANY(%s)",
            [params["tenants"]],
        )
        cells, counted = cursor.fetchone()
    rollup_seconds, from_rollups = _timed(query(CUBE_ROLLUPS), runs)
    _line(
        "hq",
        f"(1) rollups: 12 months x {len(subsidiaries)} subsidiaries x trades = {len(from_rollups):,} rows "
        f"(of {cells:,} cells)",
        rollup_seconds,
        TARGETS["hq"],
    )
    union = " UNION ALL ".join(
        _ONE_SCHEMA.format(tenant=t.pk, schema=connection.ops.quote_name(t.schema_name)) for t in subsidiaries
    )
    union_seconds, from_union = _timed(query(CUBE_UNION.format(union=union)), max(1, runs // 2))
    _line("hq", f"(2) UNION ALL over the {len(subsidiaries)} schemas, the same cube", union_seconds)
    same = [tuple(row) for row in from_rollups] == [tuple(row) for row in from_union]
    print(
        f"  {'':<10} ratio (2)/(1): {union_seconds / rollup_seconds:,.0f}x; the two cubes are "
        f"{'equal cell by cell' if same else 'NOT EQUAL'} ({len(from_union):,} rows; {counted:,} orders rolled up)"
    )
    from identity.models import User

    with tenant_schema(HQ):
        viewer = User.objects.filter(roles__code="hq_viewer").first() or _admin(HQ)
        client = Client(HTTP_HOST=f"{HQ.replace('_', '-')}.localhost")
        client.force_login(viewer)

        def page():
            response = client.get("/console/reports/group/")
            if response.status_code != 200:
                raise SystemExit(f"group overview refused: {response.status_code}")
            return response

        seconds, _response = _timed(page, runs)
    _line(
        "hq", "(3) the group overview page (GET /console/reports/group/, as the HQ)", seconds, TARGETS["hq"]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--orders", type=int, default=10_000_000, help="orders in the solo tenant and in the group"
    )
    parser.add_argument("--subsidiaries", type=int, default=100)
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each measure (after one warm-up)")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark tenants")
    parser.add_argument("--reconcile", action="store_true", help="recompute kept subsidiaries' rollups")
    parser.add_argument("--skip-solo", action="store_true")
    parser.add_argument("--skip-group", action="store_true")
    args = parser.parse_args()
    if not args.skip_solo:
        setup_solo(args.orders)
    if not args.skip_group:
        setup_group(args.orders, args.subsidiaries, reconcile=args.reconcile)
    print(f"measured ({args.runs} runs each, median, after one warm-up):")
    if not args.skip_solo:
        measure_solo(args.runs)
    if not args.skip_group:
        measure_group(args.runs)
    if not args.keep:
        for tenant in Tenant.objects.filter(schema_name__startswith="bench_rep_").order_by("-schema_name"):
            tenant_actions.delete_tenant(tenant, confirm_schema=tenant.schema_name, actor="benchmark")


if __name__ == "__main__":
    main()
