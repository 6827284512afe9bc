"""The report builder on the work-order dataset: its output equals hand-written SQL on
generated orders; a department head counts only her subtree; injection attempts are
refused or harmless."""

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from identity import actions as identity
from identity.defaults import root_department
from identity.models import Department
from lowcode.reports.compiler import ReportError, run
from modules.workorders.models import Trade, WorkOrder

pytestmark = pytest.mark.django_db


@pytest.fixture
def orders(tenants, in_tenant, wo, person):
    """90 orders over the last 14 months across trades, buildings, two department subtrees."""
    rng = random.Random(8)
    with in_tenant(tenants.a):
        medical = identity.create_department(Department(code="MED", name="医务部"), parent=root_department())
        ortho = identity.create_department(Department(code="ORTHO", name="骨科"), parent=medical)
        surgery = identity.create_department(Department(code="SURG", name="外科"), parent=root_department())
    head = person(tenants.a, "med-head", "approver", department=medical)
    with in_tenant(tenants.a):
        trades = list(Trade.objects.filter(code__in=["water", "electric", "hvac"]))
        rooms = [wo["ward"], wo["lobby"]]
        now = timezone.now()
        made = []
        for i in range(90):
            room = rooms[i % 2]
            submitted = now - dt.timedelta(days=rng.uniform(0, 420))
            responded = submitted + dt.timedelta(minutes=rng.randint(5, 300)) if rng.random() < 0.9 else None
            completed = (
                responded + dt.timedelta(minutes=rng.randint(30, 3000))
                if responded and rng.random() < 0.8
                else None
            )
            made.append(
                WorkOrder(
                    number=f"RPT{i:05d}",
                    trade=rng.choice(trades),
                    priority=rng.choice(["low", "normal", "high"]),
                    room=room,
                    building_id=room.floor.building_id,
                    description="x",
                    department=rng.choice([medical, ortho, surgery]),
                    submitted_at=submitted,
                    responded_at=responded,
                    completed_at=completed,
                    response_breached=bool(responded and rng.random() < 0.2),
                    resolution_breached=bool(completed and rng.random() < 0.3),
                    total_cost=Decimal(rng.randint(0, 50000)) / 100,
                    rating=rng.choice([None, 1, 3, 4, 5]),
                    status="closed" if completed else "dispatched",
                )
            )
        WorkOrder.objects.bulk_create(made)
    return {"head": head, "medical": medical, "ortho": ortho, "surgery": surgery}


def sql(query, params=()):
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def test_counts_and_sums_equal_hand_written_sql(tenants, in_tenant, orders, tenant_admin):
    admin = tenant_admin(tenants.a)
    with in_tenant(tenants.a):
        by_trade = run(
            {"dataset": "workorders.orders", "group_by": ["trade"], "measures": ["count", "cost_total"]},
            principal=admin,
        )
        expected = sql(
            "SELECT t.code, count(*), sum(w.total_cost) FROM workorders_workorder w "
            "JOIN workorders_trade t ON t.id = w.trade_id GROUP BY t.code ORDER BY t.code"
        )
        got = [(r["trade"]["value"], r["count"], r["cost_total"]) for r in by_trade.rows]
        assert got == [(code, n, round(float(total), 2)) for code, n, total in expected]
        assert by_trade.rows[0]["trade"]["label"] == Trade.objects.get(code=expected[0][0]).name

        monthly = run(
            {
                "dataset": "workorders.orders",
                "filters": [{"field": "submitted", "op": "relative", "value": "last_12_months"}],
                "group_by": ["submitted:month", "building"],
                "measures": ["count"],
            },
            principal=admin,
        )
        expected = sql(
            "SELECT date_trunc('month', submitted_at AT TIME ZONE 'Asia/Shanghai'), building_id, count(*) "
            "FROM workorders_workorder WHERE submitted_at >= %s AND submitted_at < %s "
            "GROUP BY 1, 2 ORDER BY 1, 2",
            _last_12_months(),
        )
        got = [
            (r["submitted:month"]["value"].replace(tzinfo=None), r["building"]["value"], r["count"])
            for r in monthly.rows
        ]
        assert got == [tuple(row) for row in expected] and len(got) >= 12


def _last_12_months():
    from lowcode.reports.compiler import period

    return period("last_12_months")


def test_percentiles_and_shares_equal_hand_written_sql(tenants, in_tenant, orders, tenant_admin):
    admin = tenant_admin(tenants.a)
    with in_tenant(tenants.a):
        result = run(
            {
                "dataset": "workorders.orders",
                "group_by": ["priority"],
                "measures": ["resolution_p50", "response_p90", "response_sla", "rating_avg"],
            },
            principal=admin,
        )
        expected = sql(
            "SELECT priority,"
            " percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM completed_at - submitted_at) / 60)"
            "   FILTER (WHERE completed_at IS NOT NULL),"
            " percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM responded_at - submitted_at) / 60)"
            "   FILTER (WHERE responded_at IS NOT NULL),"
            " 100.0 * count(*) FILTER (WHERE responded_at IS NOT NULL AND NOT response_breached)"
            "   / nullif(count(*) FILTER (WHERE responded_at IS NOT NULL), 0),"
            " avg(rating) FROM workorders_workorder GROUP BY priority ORDER BY priority"
        )
        got = [
            (
                r["priority"]["value"],
                r["resolution_p50"],
                r["response_p90"],
                r["response_sla"],
                r["rating_avg"],
            )
            for r in result.rows
        ]
        assert got == [
            (p, round(float(a), 2), round(float(b), 2), round(float(c), 2), round(float(d), 2))
            for p, a, b, c, d in expected
        ]
        assert result.rows[0]["priority"]["label"] in ("High", "高", "Low", "低", "Normal", "一般")


def test_a_department_head_counts_only_her_subtree(tenants, in_tenant, orders):
    with in_tenant(tenants.a):
        mine = run({"dataset": "workorders.orders", "measures": ["count"]}, principal=orders["head"])
        (expected,) = sql(
            "SELECT count(*) FROM workorders_workorder WHERE department_id IN (%s, %s)",
            [orders["medical"].pk, orders["ortho"].pk],
        )[0]
        assert mine.rows == [{"count": expected}] and 0 < expected < 90
        by_department = run(
            {"dataset": "workorders.orders", "group_by": ["department"], "measures": ["count"]},
            principal=orders["head"],
        )
        assert {r["department"]["value"] for r in by_department.rows} <= {
            orders["medical"].pk,
            orders["ortho"].pk,
        }


def test_injection_attempts_are_refused_or_harmless(tenants, in_tenant, orders, tenant_admin):
    admin = tenant_admin(tenants.a)
    with in_tenant(tenants.a):
        before = WorkOrder.objects.count()
        harmless = run(
            {
                "dataset": "workorders.orders",
                "filters": [{"field": "trade", "op": "eq", "value": "water' OR '1'='1"}],
                "measures": ["count"],
            },
            principal=admin,
        )
        assert harmless.rows == [{"count": 0}]
        refused = {
            "unknown_field": {"group_by": ["trade; DROP TABLE workorders_workorder; --"]},
            "bad_bucket": {"group_by": ["submitted:month') FROM x; --"]},
            "unknown_measure": {"measures": ["count(*)); DELETE FROM workorders_workorder; --"]},
            "bad_operator": {"filters": [{"field": "trade", "op": "= 1 OR 1=1 --", "value": 1}]},
            "bad_sort": {"group_by": ["trade"], "sort": [{"key": "1; DROP TABLE x"}]},
            "bad_value": {"filters": [{"field": "submitted", "op": "gt", "value": "now()"}]},
            "unknown_dataset": {"dataset": "pg_catalog.pg_user"},
            "too_many_groups": {"group_by": ["trade", "building", "team", "status"]},
        }
        for code, part in refused.items():
            spec = {"dataset": "workorders.orders", **part}
            with pytest.raises(ReportError) as error:
                run(spec, principal=admin)
            assert error.value.code == code, (code, part)
        assert WorkOrder.objects.count() == before


def test_another_tenant_counts_none_of_these(tenants, in_tenant, orders, tenant_admin):
    with in_tenant(tenants.b):
        result = run(
            {"dataset": "workorders.orders", "measures": ["count"]}, principal=tenant_admin(tenants.b)
        )
        assert result.rows == [{"count": 0}]


def test_values_of_the_wrong_kind_are_report_errors(tenants, in_tenant, orders, tenant_admin):
    admin = tenant_admin(tenants.a)
    with in_tenant(tenants.a):
        for spec, code in (
            ({"filters": [{"field": "building", "op": "eq", "value": "abc"}]}, "bad_value"),
            ({"filters": 5}, "bad_filter"),
            ({"group_by": ["trade"], "sort": "count"}, "bad_sort"),
        ):
            with pytest.raises(ReportError) as error:
                run({"dataset": "workorders.orders", **spec}, principal=admin)
            assert error.value.code == code
