"""Drill-down: the records behind a figure are exactly those it counts, within the viewer's
scope; cells name the report's own groups only."""

import pytest

from lowcode.reports import compiler
from lowcode.reports.tests.test_saved import orders  # noqa: F401
from modules.workorders.tests.conftest import wo  # noqa: F401
from modules.workorders.tests.test_portal import water_fields  # noqa: F401

pytestmark = pytest.mark.django_db

SPEC = {"dataset": "workorders.orders", "group_by": ["trade", "submitted:month"], "measures": ["count"]}


def test_every_cell_drills_into_as_many_records_as_it_counts(tenants, in_tenant, tenant_admin, orders):  # noqa: F811
    admin = tenant_admin(tenants.a)
    with in_tenant(tenants.a):
        result = compiler.run(SPEC, principal=admin)
        assert {row["trade"]["value"]: row["count"] for row in result.rows} == {"water": 5, "electric": 2}
        for row in result.rows:
            cell = {ref: row[ref]["value"] for ref in SPEC["group_by"]}
            dataset, records = compiler.records(SPEC, principal=admin, cell=cell)
            shown = compiler.record_rows(dataset, records)
            assert len(shown) == row["count"]
            assert {item["trade"] for item in shown} == {row["trade"]["label"]}
            assert all(item["url"].endswith(f"/orders/{item['pk']}/") for item in shown)
        # The month as ISO text (what a page or a client sends back) finds the same rows.
        month = result.rows[0]["submitted:month"]["value"].isoformat()
        _dataset, records = compiler.records(SPEC, principal=admin, cell={"submitted:month": month})
        assert records.count() == 7


def test_drill_down_keeps_scope_filters_and_refuses_foreign_groups(tenants, in_tenant, person, orders):  # noqa: F811
    with in_tenant(tenants.a):
        stranger = person(tenants.a, "nobody", "end_user")
        spec = dict(SPEC, filters=[{"field": "trade", "op": "eq", "value": "water"}])
        _dataset, records = compiler.records(spec, principal=stranger, cell={"trade": "water"})
        assert records.count() == 0  # an ordinary user sees only their own orders (none)
        with pytest.raises(compiler.ReportError) as caught:
            compiler.records(spec, principal=stranger, cell={"status": "done"})
        assert caught.value.code == "unknown_field"
        with pytest.raises(compiler.ReportError) as caught:
            compiler.records(spec, principal=stranger, cell={"trade": ["x"]})
        assert caught.value.code == "bad_value"


def test_custom_fields_of_a_trade_are_dimensions_in_the_viewers_language(
    tenants,
    in_tenant,
    tenant_admin,
    orders,  # noqa: F811
    water_fields,  # noqa: F811
):
    from django.utils import translation

    from modules.workorders.models import WorkOrder

    admin = tenant_admin(tenants.a)
    with in_tenant(tenants.a):
        for index, order in enumerate(WorkOrder.objects.filter(trade__code="water").order_by("pk")):
            order.custom = {"leak_kind": "burst" if index < 2 else "drip"}
            order.save(update_fields=["custom"])
        with translation.override("en"):
            dataset = compiler.all_datasets()["workorders.orders"]
            assert str(dataset.dimension("custom.leak_kind").label) == "Kind of leak"
        with translation.override("zh-hans"):
            dataset = compiler.all_datasets()["workorders.orders"]
            assert str(dataset.dimension("custom.leak_kind").label) == "漏水类型"
        spec = {
            "dataset": "workorders.orders",
            "group_by": ["custom.leak_kind"],
            "filters": [{"field": "trade", "op": "eq", "value": "water"}],
        }
        counts = {
            row["custom.leak_kind"]["value"]: row["count"] for row in compiler.run(spec, principal=admin).rows
        }
        assert counts == {"burst": 2, "drip": 3}
