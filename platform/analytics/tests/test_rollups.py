"""HQ figures from the public rollups equal each subsidiary's own reports — after incremental
updates from the outbox, and after a nightly reconcile; an HQ reads only its own group."""

import datetime as dt

import pytest

from analytics import hq, rollups
from analytics.models import WorkOrderRollup
from kernel import outbox
from kernel.models import OutboxEvent
from lowcode.reports.compiler import run
from modules.spaces import actions as spaces
from modules.workorders import actions
from modules.workorders.models import Trade
from tenants.actions import set_module_enabled

pytestmark = pytest.mark.django_db

MEASURES = [
    "count",
    "response_sla",
    "resolution_sla",
    "rating_avg",
    "cost_total",
    "response_p50",
    "resolution_p50",
]


def deliver_all(in_tenant, tenant):
    with in_tenant(tenant):
        for event in OutboxEvent.objects.filter(topic__startswith="workorders.order.").order_by("pk"):
            outbox.deliver(event.pk, "analytics-workorders")


@pytest.fixture
def group(tenants, in_tenant, person, tenant_admin, time_machine):
    """Orders in the HQ's subsidiary over three months, and some in an unrelated tenant."""
    made = {}
    for tenant in (tenants.sub, tenants.a):
        for key in ("inventory", "workorders"):
            set_module_enabled(tenant, key, True, actor="tests")
        reporter = person(tenant, f"rep-{tenant.schema_name}", "end_user")
        worker = person(tenant, f"wrk-{tenant.schema_name}", "worker")
        desk = person(tenant, f"dsk-{tenant.schema_name}", "dispatcher")
        with in_tenant(tenant):
            campus = spaces.create_campus(code="C", name="院区")
            building = spaces.create_building(campus=campus, code="B", name="门诊楼")
            floor = spaces.create_floor(building=building, level=1, code="1F", name="一层")
            room = spaces.create_room(floor=floor, code="101", name="101")
            trades = {t.code: t for t in Trade.objects.filter(code__in=["water", "electric", "hvac"])}
        orders = []
        for month, day, code, minutes, rating in (
            (8, 3, "water", 30, 5),
            (8, 20, "electric", 200, 2),
            (9, 5, "water", 45, 4),
            (9, 6, "hvac", 500, None),
            (10, 1, "water", 15, 5),
            (10, 28, "electric", 90, 3),
        ):
            start = dt.datetime(2026, month, day, 9, 0, tzinfo=dt.UTC)
            time_machine.move_to(start, tick=False)
            with in_tenant(tenant):
                order = actions.submit(user=reporter, trade=trades[code], room=room, description="故障")
                actions.dispatch(order, actor=desk, worker=worker)
                time_machine.move_to(start + dt.timedelta(minutes=minutes), tick=False)
                actions.start(order, actor=worker)
                if rating is not None:
                    time_machine.move_to(start + dt.timedelta(minutes=minutes * 3), tick=False)
                    actions.complete(order, actor=worker, notes="好了", labour_minutes=minutes)
                    actions.verify(order, actor=reporter, rating=rating)
            orders.append(order)
        made[tenant.schema_name] = {"orders": orders, "worker": worker, "reporter": reporter}
    time_machine.move_to(dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC), tick=False)
    for tenant in (tenants.sub, tenants.a):
        deliver_all(in_tenant, tenant)
    return made


def own_report(in_tenant, tenant, admin):
    with in_tenant(tenant):
        result = run(
            {
                "dataset": "workorders.orders",
                "filters": [{"field": "submitted", "op": "between", "value": ["2026-08-01", "2026-11-01"]}],
                "group_by": ["submitted:month"],
                "measures": MEASURES,
            },
            principal=admin,
        )
    return [
        {"month": row["submitted:month"]["value"].date(), **{m: row[m] for m in MEASURES}}
        for row in result.rows
    ]


def from_hq(tenants, tenant):
    figures = hq.kpis(tenants.hq, dt.date(2026, 8, 1), dt.date(2026, 11, 1))
    rows = []
    for row in figures:
        if row["tenant"] != tenant.pk:
            continue
        rows.append(
            {
                "month": row["month"],
                "count": row["orders"],
                "response_sla": _r(row["response_sla"]),
                "resolution_sla": _r(row["resolution_sla"]),
                "rating_avg": _r(row["rating_avg"]),
                "cost_total": _r(row["cost"]),
                "response_p50": _r(row["response_p50"]),
                "resolution_p50": _r(row["resolution_p50"]),
            }
        )
    return rows


def _r(value):
    return None if value is None else round(float(value), 2)


def test_hq_figures_equal_the_subsidiarys_own_report(tenants, in_tenant, group, tenant_admin):
    admin = tenant_admin(tenants.sub)
    own = own_report(in_tenant, tenants.sub, admin)
    assert [row["count"] for row in own] == [2, 2, 2]
    assert from_hq(tenants, tenants.sub) == own

    # An incremental change: the September HVAC order is completed and rated; the outbox
    # brings it to the rollup.
    hvac = group["tsub"]["orders"][3]
    with in_tenant(tenants.sub):
        actions.complete(hvac, actor=group["tsub"]["worker"], notes="修好", labour_minutes=120)
        actions.verify(hvac, actor=group["tsub"]["reporter"], rating=1)
    deliver_all(in_tenant, tenants.sub)
    own = own_report(in_tenant, tenants.sub, admin)
    assert from_hq(tenants, tenants.sub) == own
    assert own[1]["rating_avg"] == 2.5

    # The nightly reconcile repairs a rollup that went wrong (a lost event, a bad edit).
    WorkOrderRollup.objects.filter(tenant=tenants.sub, day__month=8).delete()
    WorkOrderRollup.objects.filter(tenant=tenants.sub, day__month=10).update(orders=99)
    assert from_hq(tenants, tenants.sub) != own
    rollups.reconcile(tenants.sub)
    assert from_hq(tenants, tenants.sub) == own


def test_an_hq_reads_only_its_own_group(tenants, in_tenant, group):
    assert {t.pk for t in hq.subsidiaries(tenants.hq)} == {tenants.sub.pk}
    assert WorkOrderRollup.objects.filter(tenant=tenants.a).exists()  # A is rolled up…
    figures = hq.kpis(tenants.hq, dt.date(2026, 1, 1), dt.date(2027, 1, 1))
    assert figures and {row["tenant"] for row in figures} == {tenants.sub.pk}  # …but not A's HQ
    assert hq.kpis(tenants.b, dt.date(2026, 1, 1), dt.date(2027, 1, 1)) == []  # B has no group
    by_trade = hq.by_trade(tenants.hq, dt.date(2026, 1, 1), dt.date(2027, 1, 1))
    assert {row["trade"] for row in by_trade} == {"water", "electric", "hvac"}
    assert sum(row["orders"] for row in by_trade) == 6


def test_the_nightly_job_is_scheduled_for_work_orders_and_reconciles(tenants, in_tenant, group):
    from kernel import modules

    jobs = {job.actor: job for job in modules.get_module("workorders").periodic_jobs}
    assert jobs["analytics.reconcile_workorders"].cron == "40 2 * * *"
    WorkOrderRollup.objects.filter(tenant=tenants.sub).delete()
    from analytics.tasks import reconcile_workorders

    with in_tenant(tenants.sub):
        reconcile_workorders.fn()
    assert WorkOrderRollup.objects.filter(tenant=tenants.sub).exists()


# --- The grouped query (one statement per breakdown) -------------------------------------------

PERIOD = (dt.date(2026, 8, 1), dt.date(2026, 11, 1))


def _same(a, b):
    """Figures equal, at the precision the reports show (2 decimals)."""
    return {key: _r(a[key]) for key in hq.KPI_KEYS} == {key: _r(b[key]) for key in hq.KPI_KEYS}


def _own_totals(in_tenant, tenant, admin, group_by=None):
    """The subsidiary's own report over the period, by `group_by` (None: one row)."""
    spec = {
        "dataset": "workorders.orders",
        "filters": [{"field": "submitted", "op": "between", "value": ["2026-08-01", "2026-11-01"]}],
        "measures": MEASURES,
    }
    if group_by:
        spec["group_by"] = [group_by]
    with in_tenant(tenant):
        result = run(spec, principal=admin)
    return result.rows


def _as_kpis(row):
    return {
        "orders": row["count"],
        "completed": None,
        "response_sla": row["response_sla"],
        "resolution_sla": row["resolution_sla"],
        "rating_avg": row["rating_avg"],
        "cost": row["cost_total"],
        "response_p50": row["response_p50"],
        "resolution_p50": row["resolution_p50"],
    }


@pytest.fixture
def deep(tenants):
    """A subsidiary of the subsidiary (depth 2; a tenant row only: its figures are rolled up
    already) and a tenant outside the group, each with a rollup cell in the period."""
    from tenants.models import Tenant

    deep = Tenant.objects.create(schema_name="tdeep", name="孙公司", kind="hospital", parent=tenants.sub)
    outsider = Tenant.objects.create(schema_name="tout", name="外单位", kind="hospital")
    for tenant, trade, orders in ((deep, "water", 4), (outsider, "water", 1000)):
        WorkOrderRollup.objects.create(
            tenant=tenant,
            day=dt.date(2026, 9, 15),
            trade=trade,
            priority="normal",
            orders=orders,
            completed=2,
            responded=4,
            responded_in_time=1,
            resolved_in_time=2,
            rated=1,
            rating_sum=5,
            cost="40.00",
            response_minutes=[1.0, 2.0, 3.0, 1000.0],
            resolution_minutes=[7.0, 9.0],
        )
    return deep, outsider


def test_one_grouped_query_gives_each_subsidiary_and_the_total(
    tenants, in_tenant, group, tenant_admin, deep, django_assert_num_queries
):
    deep_tenant, outsider = deep
    admin = tenant_admin(tenants.sub)
    assert {t.pk for t in hq.subsidiaries(tenants.hq)} == {tenants.sub.pk, deep_tenant.pk}

    rows = hq.figures(tenants.hq, *PERIOD)
    by_tenant = {row["tenant"]: row for row in rows}
    assert set(by_tenant) == {tenants.sub.pk, deep_tenant.pk, None}  # never the outsider
    # The subsidiary's line equals its own report over the period.
    [own] = _own_totals(in_tenant, tenants.sub, admin)
    assert _same(
        {**_as_kpis(own), "completed": by_tenant[tenants.sub.pk]["completed"]}, by_tenant[tenants.sub.pk]
    )
    assert by_tenant[tenants.sub.pk]["orders"] == 6
    # The depth-2 subsidiary is counted, and the total is the sum of the parts…
    assert by_tenant[deep_tenant.pk]["orders"] == 4
    total = by_tenant[None]
    assert total["orders"] == 10 == sum(by_tenant[pk]["orders"] for pk in (tenants.sub.pk, deep_tenant.pk))
    assert total["cost"] == by_tenant[tenants.sub.pk]["cost"] + by_tenant[deep_tenant.pk]["cost"]
    # …and its median is over every duration (not a median of medians).
    from statistics import median

    sub_cells = WorkOrderRollup.objects.filter(tenant__in=[tenants.sub, deep_tenant], day__gte=PERIOD[0])
    durations = [m for cell in sub_cells for m in cell.response_minutes]
    assert round(total["response_p50"], 4) == round(median(durations), 4)

    # The overview is that one query, plus one reading the group's tenants (any depth).
    with django_assert_num_queries(2):
        overview = hq.overview(tenants.hq, *PERIOD)
    assert [item["tenant"].pk for item in overview["subsidiaries"]] == sorted(
        [tenants.sub.pk, deep_tenant.pk],
        key=lambda pk: {tenants.sub.pk: tenants.sub.name, deep_tenant.pk: "孙公司"}[pk],
    )
    assert overview["total"]["orders"] == 10
    # Only the group's own: nothing of the outsider, and nothing for an HQ-less tenant.
    assert hq.figures(tenants.b, *PERIOD) == []
    assert hq.figures(tenants.hq, *PERIOD, only=outsider.pk) == []


def test_by_category_and_by_month_equal_the_subsidiarys_own_reports(tenants, in_tenant, group, tenant_admin):
    admin = tenant_admin(tenants.sub)

    def check():
        trades = {
            row["key"]: row for row in hq.by_category(tenants.hq, *PERIOD) if row["tenant"] == tenants.sub.pk
        }
        own = {row["trade"]["value"]: row for row in _own_totals(in_tenant, tenants.sub, admin, "trade")}
        # The report groups by the trade's code, as the rollup keeps it.
        assert set(own) == set(trades)
        for code, row in own.items():
            mine = trades[code]
            assert _same({**_as_kpis(row), "completed": mine["completed"]}, mine), code
        months = {
            row["key"]: row for row in hq.by_month(tenants.hq, *PERIOD) if row["tenant"] == tenants.sub.pk
        }
        own_months = _own_totals(in_tenant, tenants.sub, admin, "submitted:month")
        assert [row["submitted:month"]["value"].date() for row in own_months] == sorted(months)
        for row in own_months:
            mine = months[row["submitted:month"]["value"].date()]
            assert _same({**_as_kpis(row), "completed": mine["completed"]}, mine)
        # The group's rows per key are the sums of the subsidiaries' (here, one subsidiary).
        totals = {row["key"]: row for row in hq.by_category(tenants.hq, *PERIOD) if row["tenant"] is None}
        assert {k: v["orders"] for k, v in totals.items()} == {k: v["orders"] for k, v in trades.items()}
        month_totals = [row for row in hq.by_month(tenants.hq, *PERIOD) if row["tenant"] is None]
        assert sum(row["orders"] for row in month_totals) == 6

    check()
    # After an incremental change from the outbox…
    hvac = group["tsub"]["orders"][3]
    with in_tenant(tenants.sub):
        actions.complete(hvac, actor=group["tsub"]["worker"], notes="修好", labour_minutes=120)
        actions.verify(hvac, actor=group["tsub"]["reporter"], rating=1)
    deliver_all(in_tenant, tenants.sub)
    check()
    # …and after the nightly reconcile repaired a damaged rollup.
    WorkOrderRollup.objects.filter(tenant=tenants.sub, trade="water").update(orders=77, cost=0)
    rollups.reconcile(tenants.sub)
    check()


def test_unknown_breakdowns_never_reach_sql(tenants):
    with pytest.raises(ValueError):
        hq.figures(tenants.hq, *PERIOD, by="tenant_id; DROP TABLE x")
