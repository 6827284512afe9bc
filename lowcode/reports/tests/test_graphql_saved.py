"""Saved reports through the API: the list each caller may open, running one with parameters
(aggregated series or the records behind it, page by page), errors as codes, other tenants'
reports out of reach; and the group headquarters' consolidated KPIs for HQ viewers only."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from analytics import hq
from analytics.models import WorkOrderRollup
from identity.models import Role
from lowcode.reports import actions
from lowcode.reports.compiler import run
from lowcode.reports.models import SavedReport
from lowcode.reports.tests.test_graphql import _orders, _plain
from tests.api.helpers import far_ids, gid

pytestmark = pytest.mark.django_db

LIST = """query($first: Int, $after: String, $sort: SavedReportSort) {
  savedReports(first: $first, after: $after, sort: $sort) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { id name dataset view owner } } } }"""
RUN = """query($id: ID!, $p: SavedReportParameters, $first: Int, $after: String) {
  runSavedReport(id: $id, parameters: $p) {
    report { name } output columns { key label kind } rows errors { where code message }
    records(first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } edges { cursor node { key url values } } } } }"""
SERIES = """query($id: ID!, $p: SavedReportParameters) {
  runSavedReport(id: $id, parameters: $p) { report { name } output columns { key kind } rows
    errors { where code message } } }"""
KPIS = """query($from: Date, $to: Date) { groupKpis(from: $from, to: $to) {
  from to subsidiaries { id name schema kpis { orders completed responseSla resolutionSla ratingAvg
  cost responseP50 resolutionP50 } } total { orders cost responseSla responseP50 }
  errors { where code message } } }"""

BY_TRADE = {"dataset": "workorders.orders", "group_by": ["trade"], "measures": ["count", "cost_total"]}


@pytest.fixture
def reports(tenants, in_tenant, wo, tenant_admin, person):
    """40 orders in A; three saved reports of A's administrator: one shared with dispatchers,
    two private; and one report in B."""
    far_ids(tenants.a, "lowcode_reports_savedreport")
    admin = tenant_admin(tenants.a)
    desk = person(tenants.a, "gql-desk", "dispatcher")
    with in_tenant(tenants.a):
        _orders(wo["ward"], 40, 7)
        shared = actions.save_report(
            SavedReport(name="按工种", spec=BY_TRADE, view="bar"),
            user=admin,
            roles=[Role.objects.get(code="dispatcher")],
        )
        private = actions.save_report(
            SavedReport(
                name="月度",
                spec={"dataset": "workorders.orders", "group_by": ["submitted:month"], "measures": ["count"]},
            ),
            user=admin,
        )
        third = actions.save_report(
            SavedReport(name="总数", spec={"dataset": "workorders.orders"}), user=admin
        )
    admin_b = tenant_admin(tenants.b)
    with in_tenant(tenants.b):
        other = actions.save_report(SavedReport(name="乙的报表", spec=BY_TRADE), user=admin_b)
    return {"admin": admin, "desk": desk, "shared": shared, "private": private, "third": third, "b": other}


def _names(body):
    return [edge["node"]["name"] for edge in body["data"]["savedReports"]["edges"]]


def _codes(body):
    return [error["extensions"]["code"] for error in body.get("errors", [])]


def test_saved_reports_lists_what_each_caller_may_open(tenants, api, reports, person):
    admin = api(tenants.a, user=reports["admin"])
    body = admin(LIST, {"first": 10})
    assert _names(body) == ["总数", "按工种", "月度"] and body["data"]["savedReports"]["totalCount"] == 3
    assert body["data"]["savedReports"]["edges"][1]["node"]["view"] == "BAR"
    # A dispatcher sees the report shared with their role only; an API key of that role too.
    assert _names(api(tenants.a, user=reports["desk"])(LIST, {"first": 10})) == ["按工种"]
    assert _names(api(tenants.a, role="dispatcher")(LIST, {"first": 10})) == ["按工种"]
    # Someone without reports.view sees only their own (none); B's administrator only B's.
    nurse = person(tenants.a, "gql-nurse2", "end_user")
    assert _names(api(tenants.a, user=nurse)(LIST, {"first": 10})) == []
    assert _names(api(tenants.b, user=reports["b"].owner)(LIST, {"first": 10})) == ["乙的报表"]
    # Pages: first 2, then the rest after the cursor; pagination limits as everywhere.
    page = admin(LIST, {"first": 2})
    assert _names(page) == ["总数", "按工种"] and page["data"]["savedReports"]["pageInfo"]["hasNextPage"]
    rest = admin(LIST, {"first": 2, "after": page["data"]["savedReports"]["pageInfo"]["endCursor"]})
    assert _names(rest) == ["月度"] and not rest["data"]["savedReports"]["pageInfo"]["hasNextPage"]
    assert _codes(admin(LIST)) == ["PAGINATION_REQUIRED"]
    assert _codes(admin(LIST, {"first": 101})) == ["PAGINATION_LIMIT"]
    assert _codes(admin(LIST, {"first": 2, "after": "bm9wZQ=="})) == ["INVALID_CURSOR"]
    # node(id:) answers the same visibility.
    node = "query($id: ID!) { node(id: $id) { ... on SavedReport { name } } }"
    private_id = gid("SavedReport", reports["private"].pk)
    assert admin(node, {"id": private_id}) == {"data": {"node": {"name": "月度"}}}
    assert api(tenants.a, user=reports["desk"])(node, {"id": private_id}) == {"data": {"node": None}}


def test_run_saved_report_series_equals_run_with_the_parameters(tenants, in_tenant, api, reports):
    caller = api(tenants.a, user=reports["desk"])
    report_id = gid("SavedReport", reports["shared"].pk)
    body = caller(SERIES, {"id": report_id})
    result = body["data"]["runSavedReport"]
    with in_tenant(tenants.a):
        expected = run(BY_TRADE, principal=reports["desk"])
    assert result["errors"] == [] and result["output"] == "SERIES" and result["report"]["name"] == "按工种"
    assert result["rows"] == _plain(expected.rows) and sum(row["count"] for row in result["rows"]) == 40
    # A period, dates, extra filters and a limit apply to this run only.
    for parameters, extra in [
        ({"period": "LAST_30_DAYS"}, [{"field": "submitted", "op": "relative", "value": "last_30_days"}]),
        (
            {"from": "2026-01-01", "to": "2026-03-31"},
            [
                {"field": "submitted", "op": "gte", "value": "2026-01-01"},
                {"field": "submitted", "op": "lt", "value": "2026-04-01"},
            ],
        ),
        (
            {"filters": [{"field": "priority", "op": "eq", "value": "high"}], "limit": 2},
            [{"field": "priority", "op": "eq", "value": "high"}],
        ),
    ]:
        answer = caller(SERIES, {"id": report_id, "p": parameters})["data"]["runSavedReport"]
        spec = {
            **BY_TRADE,
            "filters": extra,
            **({"limit": parameters["limit"]} if "limit" in parameters else {}),
        }
        with in_tenant(tenants.a):
            expected = run(spec, principal=reports["desk"])
        assert answer["errors"] == [], answer
        assert answer["rows"] == _plain(expected.rows)
    limited = caller(SERIES, {"id": report_id, "p": {"limit": 1}})["data"]["runSavedReport"]
    assert len(limited["rows"]) == 1
    with in_tenant(tenants.a):
        assert SavedReport.objects.get(pk=reports["shared"].pk).spec == BY_TRADE  # unchanged


def test_run_saved_report_records_page_by_page(tenants, in_tenant, api, reports):
    caller = api(tenants.a, user=reports["admin"])
    report_id = gid("SavedReport", reports["shared"].pk)
    seen, after, pages = [], None, 0
    while True:
        body = caller(RUN, {"id": report_id, "p": {"output": "RECORDS"}, "first": 15, "after": after})
        assert "errors" not in body, body
        result = body["data"]["runSavedReport"]
        assert result["output"] == "RECORDS" and result["rows"] == [] and result["errors"] == []
        assert {c["kind"] for c in result["columns"]} == {"column"}
        records = result["records"]
        assert records["totalCount"] == 40
        seen += [edge["node"]["key"] for edge in records["edges"]]
        pages += 1
        if not records["pageInfo"]["hasNextPage"]:
            break
        after = records["pageInfo"]["endCursor"]
    assert pages == 3 and len(seen) == len(set(seen)) == 40
    first = caller(RUN, {"id": report_id, "p": {"output": "RECORDS"}, "first": 1})["data"]["runSavedReport"]
    node = first["records"]["edges"][0]["node"]
    assert node["url"].startswith("/") and set(node["values"]) == {c["key"] for c in first["columns"]}
    # Drilling into one bar: the water orders only, as many as the series counts.
    series = caller(SERIES, {"id": report_id})["data"]["runSavedReport"]["rows"]
    water = next(row for row in series if row["trade"]["value"] == "water")
    cell = caller(
        RUN, {"id": report_id, "p": {"output": "RECORDS", "cell": {"trade": "water"}}, "first": 100}
    )["data"]["runSavedReport"]
    assert cell["errors"] == [] and cell["records"]["totalCount"] == water["count"] == len(
        cell["records"]["edges"]
    )
    # The series output has no records; records need a page size.
    assert caller(RUN, {"id": report_id, "first": 5})["data"]["runSavedReport"]["records"] is None
    assert _codes(caller(RUN, {"id": report_id, "p": {"output": "RECORDS"}})) == ["PAGINATION_REQUIRED"]
    assert _codes(
        caller(RUN, {"id": report_id, "p": {"output": "RECORDS"}, "first": 5, "after": "W10="})
    ) == ["INVALID_CURSOR"]


@pytest.mark.parametrize(
    ("parameters", "where", "code"),
    [
        ({"period": "THIS_MONTH", "from": "2026-01-01"}, "parameters.period", "BAD_PERIOD"),
        ({"from": "2026-05-01", "to": "2026-04-01"}, "parameters.to", "BAD_PERIOD"),
        ({"filters": {"field": "trade"}}, "parameters.filters", "BAD_FILTER"),
        (
            {"filters": [{"field": "salary", "op": "eq", "value": 1}]},
            "parameters.filters[0]",
            "UNKNOWN_FIELD",
        ),
        (
            {"filters": [{"field": "building", "op": "eq", "value": "1 OR 1=1"}]},
            "parameters.filters[0]",
            "BAD_VALUE",
        ),
        ({"limit": 0}, "parameters.limit", "BAD_LIMIT"),
        ({"limit": 10001}, "parameters.limit", "BAD_LIMIT"),
        ({"cell": {"trade": "water"}}, "parameters.cell", "BAD_PARAMETERS"),
        ({"output": "RECORDS", "cell": {"priority": "high"}}, "cell", "UNKNOWN_FIELD"),
    ],
)
def test_bad_parameters_come_back_as_codes(tenants, api, reports, parameters, where, code):
    body = api(tenants.a, user=reports["admin"])(
        SERIES, {"id": gid("SavedReport", reports["shared"].pk), "p": parameters}
    )
    assert "errors" not in body, body
    result = body["data"]["runSavedReport"]
    assert result["rows"] == [] and result["columns"] == []
    [error] = result["errors"]
    assert (error["where"], error["code"]) == (where, code) and error["message"]


def test_a_report_the_caller_cannot_open_is_not_found(tenants, api, reports):
    private = gid("SavedReport", reports["private"].pk)
    for caller, report_id in [
        (api(tenants.a, user=reports["desk"]), private),  # not shared with them
        (api(tenants.b, user=reports["b"].owner), private),  # A's report on B's domain
        (api(tenants.b, role="tenant_admin"), gid("SavedReport", reports["shared"].pk)),
        (api(tenants.a, user=reports["admin"]), "nonsense"),
        (api(tenants.a, user=reports["admin"]), gid("Room", reports["private"].pk)),
    ]:
        body = caller(SERIES, {"id": report_id})
        assert "errors" not in body, body
        result = body["data"]["runSavedReport"]
        assert result["report"] is None and result["rows"] == []
        assert [(e["where"], e["code"]) for e in result["errors"]] == [("id", "NOT_FOUND")]
    # B's own report runs on B, counting B's orders only (none).
    own = api(tenants.b, user=reports["b"].owner)(SERIES, {"id": gid("SavedReport", reports["b"].pk)})
    assert own["data"]["runSavedReport"]["errors"] == [] and own["data"]["runSavedReport"]["rows"] == []


@pytest.fixture
def group_rollups(tenants):
    """This month: 8 orders in the HQ's subsidiary, 5 in a depth-2 one, 50 in tenant A."""
    from tenants.models import Tenant

    deep = Tenant.objects.create(schema_name="tdeep", name="孙公司", kind="hospital", parent=tenants.sub)
    day = timezone.localdate().replace(day=1)
    for tenant, orders, in_time, minutes in (
        (tenants.sub, 8, 6, [10.0, 20.0, 30.0]),
        (deep, 5, 5, [1.0]),
        (tenants.a, 50, 1, [99.0]),
    ):
        WorkOrderRollup.objects.create(
            tenant=tenant,
            day=day,
            trade="water",
            priority="normal",
            orders=orders,
            completed=orders,
            responded=orders,
            responded_in_time=in_time,
            resolved_in_time=in_time,
            rated=2,
            rating_sum=9,
            cost=Decimal("120.50"),
            response_minutes=minutes,
            resolution_minutes=minutes,
        )
    return deep


def test_group_kpis_for_hq_viewers(tenants, api, person, group_rollups):
    viewer = person(tenants.hq, "gql-hq-viewer", "hq_viewer")
    body = api(tenants.hq, user=viewer)(KPIS)
    assert "errors" not in body, body
    kpis = body["data"]["groupKpis"]
    assert kpis["errors"] == []
    subs = {item["schema"]: item for item in kpis["subsidiaries"]}
    assert set(subs) == {"tsub", "tdeep"}  # never A
    assert subs["tsub"]["kpis"]["orders"] == 8 and subs["tsub"]["kpis"]["responseSla"] == 75.0
    assert subs["tsub"]["kpis"]["responseP50"] == 20.0 and subs["tsub"]["id"] == str(tenants.sub.pk)
    assert subs["tdeep"]["kpis"]["orders"] == 5
    assert kpis["total"] == {
        "orders": 13,
        "cost": 241.0,
        "responseSla": round(100 * 11 / 13, 1),
        "responseP50": 15.0,
    }
    expected = hq.kpis_total(
        tenants.hq, dt.date.fromisoformat(kpis["from"]), timezone.localdate() + dt.timedelta(days=1)
    )
    assert kpis["total"]["orders"] == expected["orders"]
    # A period without orders: zeros, every subsidiary still listed.
    empty = api(tenants.hq, user=viewer)(KPIS, {"from": "2020-01-01", "to": "2020-12-31"})["data"][
        "groupKpis"
    ]
    assert {s["schema"]: s["kpis"]["orders"] for s in empty["subsidiaries"]} == {"tsub": 0, "tdeep": 0}
    # Bad periods are explained.
    bad = api(tenants.hq, user=viewer)(KPIS, {"from": "2026-05-01", "to": "2026-04-01"})["data"]["groupKpis"]
    assert [(e["where"], e["code"]) for e in bad["errors"]] == [("to", "BAD_PERIOD")] and bad["total"] is None
    long = api(tenants.hq, user=viewer)(KPIS, {"from": "2020-01-01", "to": "2026-01-01"})["data"]["groupKpis"]
    assert [e["code"] for e in long["errors"]] == ["BAD_PERIOD"]
    # An HQ viewer's API key too.
    assert api(tenants.hq, role="hq_viewer")(KPIS)["data"]["groupKpis"]["total"]["orders"] == 13


def test_group_kpis_are_refused_to_anyone_else(tenants, api, person, tenant_admin, group_rollups):
    for caller in [
        api(tenants.sub, user=tenant_admin(tenants.sub)),  # a subsidiary's administrator
        api(tenants.sub, user=person(tenants.sub, "gql-sub-viewer", "hq_viewer")),  # not a group
        api(tenants.a, user=tenant_admin(tenants.a)),  # a tenant outside any group
        api(tenants.hq, user=person(tenants.hq, "gql-hq-desk", "dispatcher")),  # no reports.hq
        api(tenants.hq, role="dispatcher"),
    ]:
        body = caller(KPIS)
        assert body["data"] == {"groupKpis": None}
        assert _codes(body) == ["PERMISSION_DENIED"]
