"""The reports fragment of the API: `runReport` answers what `run` computes, reports that
cannot run come back as codes (never as GraphQL errors), and a tenant counts only its own."""

import ast
import datetime as dt
import inspect
import random
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from lowcode.reports import compiler
from lowcode.reports.compiler import run
from lowcode.reports.graphql import ERROR_CODES, ReportsErrorCode, resolve_report_datasets, resolve_run_report
from modules.spaces import actions as spaces
from modules.workorders.models import Trade, WorkOrder

pytestmark = pytest.mark.django_db

RUN = """query($spec: GenericScalar!) { runReport(spec: $spec) {
  columns { key label kind } rows errors { where code message } } }"""
DATASETS = "{ reportDatasets { key label dimensions { key label kind } measures { key label unit } } }"


def _orders(room, count, seed):
    rng = random.Random(seed)
    trades = list(Trade.objects.filter(code__in=["water", "electric", "hvac"]))
    now = timezone.now()
    WorkOrder.objects.bulk_create(
        WorkOrder(
            number=f"GQL{seed}{i:05d}",
            trade=rng.choice(trades),
            priority=rng.choice(["low", "normal", "high"]),
            room=room,
            building_id=room.floor.building_id,
            description="x",
            submitted_at=now - dt.timedelta(days=rng.uniform(0, 300)),
            total_cost=Decimal(rng.randint(0, 50000)) / 100,
            status="dispatched",
        )
        for i in range(count)
    )


@pytest.fixture
def orders(tenants, in_tenant, wo):
    """40 orders in tenant A, 7 in tenant B (its own building)."""
    with in_tenant(tenants.a):
        _orders(wo["ward"], 40, 1)
    with in_tenant(tenants.b):
        campus = spaces.create_campus(code="B", name="B 校区")
        building = spaces.create_building(campus=campus, code="B1", name="B 楼")
        floor = spaces.create_floor(building=building, level=1, code="1F", name="一层")
        room = spaces.create_room(floor=floor, code="B101", name="B101")
        _orders(room, 7, 2)


def _plain(rows):
    """Rows as the API sends them (dates in ISO 8601)."""
    return [
        {
            key: {"value": cell["value"].isoformat(), "label": cell["label"].isoformat()}
            if isinstance(cell, dict) and isinstance(cell["value"], dt.datetime)
            else cell
            for key, cell in row.items()
        }
        for row in rows
    ]


def test_run_report_equals_the_python_run(tenants, in_tenant, orders, tenant_admin, api):
    admin = tenant_admin(tenants.a)
    call = api(tenants.a, user=admin)
    for spec in [
        {
            "dataset": "workorders.orders",
            "group_by": ["trade"],
            "measures": ["count", "cost_total", "cost_avg"],
        },
        {"dataset": "workorders.orders", "group_by": ["submitted:month", "priority"], "measures": ["count"]},
        {"dataset": "workorders.orders", "measures": ["count", "cost_total"]},
    ]:
        answer = call(RUN, {"spec": spec})
        assert "errors" not in answer, answer
        report = answer["data"]["runReport"]
        with in_tenant(tenants.a):
            expected = run(spec, principal=admin)
        assert report["errors"] == []
        assert report["columns"] == expected.columns
        assert report["rows"] == _plain(expected.rows)
    assert (
        sum(
            row["count"]
            for row in call(RUN, {"spec": {"dataset": "workorders.orders", "group_by": ["trade"]}})["data"][
                "runReport"
            ]["rows"]
        )
        == 40
    )


def test_report_datasets_lists_the_whitelist(tenants, orders, tenant_admin, api):
    answer = api(tenants.a, user=tenant_admin(tenants.a))(DATASETS)
    assert "errors" not in answer, answer
    datasets = {item["key"]: item for item in answer["data"]["reportDatasets"]}
    orders_set = datasets["workorders.orders"]
    dimensions = {item["key"]: item["kind"] for item in orders_set["dimensions"]}
    assert dimensions["submitted"] == "time" and dimensions["trade"] == "category"
    measures = {item["key"]: item["unit"] for item in orders_set["measures"]}
    assert measures["cost_total"] == "¥" and measures["count"] == ""


@pytest.mark.parametrize(
    ("spec", "where", "code"),
    [
        ({"dataset": "nope"}, "dataset", "UNKNOWN_DATASET"),
        ({"dataset": "workorders.orders", "group_by": ["total_cost"]}, "group_by[0]", "UNKNOWN_FIELD"),
        ({"dataset": "workorders.orders", "group_by": ["trade:month"]}, "group_by[0]", "BAD_BUCKET"),
        ({"dataset": "workorders.orders", "measures": ["sum(total_cost)"]}, "measures[0]", "UNKNOWN_MEASURE"),
        (
            {"dataset": "workorders.orders", "filters": [{"field": "trade", "op": "like", "value": "%"}]},
            "filters[0]",
            "BAD_OPERATOR",
        ),
        (
            {
                "dataset": "workorders.orders",
                "filters": [{"field": "rating", "op": "gt", "value": "1; DROP"}],
            },
            "filters[0]",
            "BAD_VALUE",
        ),
        ({"dataset": "workorders.orders", "group_by": ["trade"], "limit": 0}, "limit", "BAD_LIMIT"),
        (
            {"dataset": "workorders.orders", "group_by": ["trade"], "sort": [{"key": "x"}]},
            "sort[0]",
            "BAD_SORT",
        ),
        ({"dataset": "workorders.orders", "filters": 5}, "filters", "BAD_FILTER"),
        # An id field given text: refused before any SQL, naming the filter.
        (
            {
                "dataset": "workorders.orders",
                "filters": [{"field": "building", "op": "eq", "value": "1 OR 1=1"}],
            },
            "filters[0]",
            "BAD_VALUE",
        ),
        ([1, 2], "dataset", "UNKNOWN_DATASET"),
    ],
)
def test_errors_come_back_as_codes(tenants, orders, tenant_admin, api, spec, where, code):
    answer = api(tenants.a, user=tenant_admin(tenants.a))(RUN, {"spec": spec})
    assert "errors" not in answer, answer
    report = answer["data"]["runReport"]
    assert report["rows"] == [] and report["columns"] == []
    [error] = report["errors"]
    assert (error["where"], error["code"]) == (where, code)
    assert error["message"]


def test_every_code_the_compiler_raises_is_in_the_enum():
    raised = set()
    for node in ast.walk(ast.parse(inspect.getsource(compiler))):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "ReportError":
            raised.add(node.args[-1].value)
    assert len(raised) >= 10
    assert {code.upper() for code in raised} <= set(ERROR_CODES)
    assert {member.name for member in ReportsErrorCode._meta.enum} == set(ERROR_CODES)


def test_tenant_b_counts_only_its_own(tenants, in_tenant, orders, tenant_admin, api):
    spec = {"dataset": "workorders.orders", "measures": ["count"]}
    answer_b = api(tenants.b, user=tenant_admin(tenants.b))(RUN, {"spec": spec})
    answer_a = api(tenants.a, user=tenant_admin(tenants.a))(RUN, {"spec": spec})
    assert answer_b["data"]["runReport"]["rows"] == [{"count": 7}]
    assert answer_a["data"]["runReport"]["rows"] == [{"count": 40}]
    # A's session on B's domain is nobody there.
    crossed = api(tenants.b, user=tenant_admin(tenants.a))(RUN, {"spec": spec})
    assert crossed.get("data") is None
    assert crossed["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_the_resolvers_directly(tenants, in_tenant, orders, tenant_admin, person):
    admin = tenant_admin(tenants.a)
    nurse = person(tenants.a, "gql-nurse", "end_user")
    spec = {"dataset": "workorders.orders", "group_by": ["priority"], "measures": ["count"]}
    with in_tenant(tenants.a):
        info = SimpleNamespace(context=SimpleNamespace(principal=admin, user=admin))
        result = resolve_run_report(None, info, spec)
        assert result.errors == [] and result.rows == run(spec, principal=admin).rows
        assert sum(row["count"] for row in result.rows) == 40
        # Someone whose roles see no work orders counts none.
        info = SimpleNamespace(context=SimpleNamespace(principal=nurse, user=nurse))
        assert resolve_run_report(None, info, spec).rows == []
        keys = [dataset.key for dataset in resolve_report_datasets(None, info)]
        assert "workorders.orders" in keys
