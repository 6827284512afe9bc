"""Saved reports: a spec must compile to be saved; who may open one (owner, shared roles,
reports.view_all); the console builder's preview; CSV/XLSX export; tenant isolation."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from identity.models import Role
from lowcode.reports import actions
from lowcode.reports.models import SavedReport
from modules.workorders.models import Trade, WorkOrder
from modules.workorders.tests.conftest import wo  # noqa: F401
from tests.api.helpers import far_ids

pytestmark = pytest.mark.django_db

BY_TRADE = {
    "dataset": "workorders.orders",
    "group_by": ["trade"],
    "measures": ["count", "cost_total"],
    "sort": [{"key": "count", "desc": True}],
}
NEW = "/console/reports/new/"


@pytest.fixture
def orders(tenants, in_tenant, wo):  # noqa: F811
    """Five water orders (cost 10 each) and two electric ones (cost 2.5 and =1+1-named)."""
    with in_tenant(tenants.a):
        water = Trade.objects.get(code="water")
        electric = Trade.objects.get(code="electric")
        electric.name = "=HYPERLINK(1)"
        electric.save(update_fields=["name"])
        room = wo["ward"]
        made = []
        for i in range(7):
            made.append(
                WorkOrder(
                    number=f"SAV{i:04d}",
                    trade=water if i < 5 else electric,
                    priority="normal",
                    room=room,
                    building_id=room.floor.building_id,
                    description="x",
                    department=wo["department"],
                    submitted_at=timezone.now(),
                    total_cost=Decimal("10") if i < 5 else Decimal("2.5"),
                    status="dispatched",
                )
            )
        WorkOrder.objects.bulk_create(made)
    return wo


def make_report(tenant, in_tenant, owner, *, roles=(), spec=None, view="bar"):
    with in_tenant(tenant):
        report = SavedReport(name="按工种", name_en="By trade", spec=spec or BY_TRADE, view=view)
        return actions.save_report(report, user=owner, roles=[Role.objects.get(code=code) for code in roles])


def test_a_bad_spec_is_a_field_error_and_saves_nothing(tenants, in_tenant, orders):
    desk = orders["desk"]
    bad = {**BY_TRADE, "group_by": ["trade", "nonsense"]}
    with in_tenant(tenants.a):
        with pytest.raises(ValidationError) as caught:
            actions.save_report(SavedReport(name="x", spec=bad), user=desk)
        assert "group_by[1]" in " ".join(caught.value.message_dict["spec"])
        assert not SavedReport.objects.exists()


def test_the_builder_shows_a_bad_part_next_to_it_and_saves_nothing(tenants, in_tenant, orders, client_for):
    client = client_for(tenants.a, orders["desk"])
    response = client.post(
        NEW,
        {
            "dataset": "workorders.orders",
            "group_0": "trade",
            "measures": ["count"],
            "filter_field_1": "rating",
            "filter_op_1": "gt",
            "filter_value_1": "many",
            "name": "坏报表",
            "view": "table",
            "then": "save",
        },
    )
    assert response.status_code == 200
    assert b'data-error="filter_1"' in response.content
    assert b'data-error="spec"' in response.content
    with in_tenant(tenants.a):
        assert not SavedReport.objects.exists()


def test_who_may_open_a_saved_report(tenants, in_tenant, orders, person, client_for):
    report = make_report(tenants.a, in_tenant, orders["desk"], roles=["approver"])
    # Approvers have no console access of their own: a dispatcher who is also an approver.
    approver = person(tenants.a, "appr", "dispatcher", "approver")
    url = f"/console/reports/{report.pk}/"
    assert client_for(tenants.a, orders["desk"]).get(url).status_code == 200
    assert client_for(tenants.a, orders["desk2"]).get(url).status_code == 404  # no shared role
    shared = client_for(tenants.a, approver).get(url)
    assert shared.status_code == 200 and b'value="save"' not in shared.content  # sees, cannot save
    assert b'value="save"' in client_for(tenants.a, orders["desk"]).get(url).content
    listing = client_for(tenants.a, orders["desk2"]).get("/console/reports/")
    assert listing.status_code == 200 and "按工种" not in listing.content.decode()
    assert "按工种" in client_for(tenants.a, approver).get("/console/reports/").content.decode()
    with in_tenant(tenants.a):
        assert list(actions.visible_reports(orders["desk2"])) == []
        assert list(actions.visible_reports(approver)) == [report]
    # Only its owner (or an administrator) changes it: the approver may see, not edit.
    with in_tenant(tenants.a), pytest.raises(PermissionDenied, match="reports.change"):
        actions.save_report(SavedReport.objects.get(pk=report.pk), user=approver)


def test_the_builder_preview_shows_the_right_numbers(tenants, in_tenant, orders, client_for):
    client = client_for(tenants.a, orders["desk"])
    response = client.post(
        NEW,
        {
            "dataset": "workorders.orders",
            "group_0": "trade",
            "measures": ["count", "cost_total"],
            "sort_key": "count",
            "sort_desc": "on",
            "filter_field_0": "submitted",
            "filter_op_0": "relative",
            "filter_period_0": "this_month",
            "limit": "100",
            "view": "bar",
            "then": "preview",
        },
    )
    assert response.status_code == 200
    table = response.context["table"]
    with in_tenant(tenants.a):
        water = Trade.objects.get(code="water").name
    assert table[1] == [[water, 5, 50.0], ["=HYPERLINK(1)", 2, 5.0]]
    assert len(table[0]) == 3
    chart = response.context["chart"]
    assert chart["kind"] == "bar" and chart["series"][0]["data"] == [5, 2]
    # The chart travels as JSON data (json_script), not as markup.
    assert b'id="report-chart-spec" type="application/json"' in response.content
    assert b"<script>" not in response.content.split(b'id="report-chart-spec"')[1].split(b"</script>")[0]
    # A KPI without groups: one row of totals.
    kpi = client.post(
        NEW,
        {"dataset": "workorders.orders", "measures": ["count"], "view": "kpi", "then": "preview"},
    )
    assert [item["value"] for item in kpi.context["chart"]["items"]] == [7]
    assert kpi.context["table"][1] == [[7]]
    # Filters narrow the rows: electric only.
    electric = client.post(
        NEW,
        {
            "dataset": "workorders.orders",
            "group_0": "trade",
            "measures": ["count"],
            "filter_field_0": "trade",
            "filter_op_0": "in",
            "filter_value_0": "electric, gas",
            "view": "table",
            "then": "preview",
        },
    )
    assert electric.context["table"][1] == [["=HYPERLINK(1)", 2]] and electric.context["chart"] is None


def test_saving_from_the_builder_then_exporting(tenants, in_tenant, orders, client_for):
    client = client_for(tenants.a, orders["desk"])
    response = client.post(
        NEW,
        {
            "dataset": "workorders.orders",
            "group_0": "trade",
            "measures": ["count", "cost_total"],
            "sort_key": "count",
            "sort_desc": "on",
            "name": "工种统计",
            "view": "pie",
            "then": "save",
        },
    )
    assert response.status_code == 302
    with in_tenant(tenants.a):
        saved = SavedReport.objects.get()
    assert saved.owner_id == orders["desk"].pk and saved.view == "pie"
    assert saved.spec["group_by"] == ["trade"] and saved.spec["measures"] == ["count", "cost_total"]

    exported = client.get(f"/console/reports/{saved.pk}/export.csv")
    assert exported.status_code == 200
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert [row[1:] for row in rows[1:]] == [["5", "50.0"], ["2", "5.0"]]
    assert rows[2][0] == "'=HYPERLINK(1)"  # a formula is written as text

    book = client.get(f"/console/reports/{saved.pk}/export.xlsx")
    assert book.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(book.content)).active
    values = [list(row) for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert [row[1:] for row in values] == [[5, 50], [2, 5]]
    assert values[1][0] == "'=HYPERLINK(1)"


def test_another_tenant_cannot_open_the_report(tenants, in_tenant, orders, client_for, tenant_admin):
    with in_tenant(tenants.a):
        far_ids(tenants.a, "lowcode_reports_savedreport")
    report = make_report(tenants.a, in_tenant, orders["desk"])
    assert report.pk >= 1_000_000
    admin_b = tenant_admin(tenants.b)
    client = client_for(tenants.b, admin_b)
    for url in (
        f"/console/reports/{report.pk}/",
        f"/console/reports/{report.pk}/export.csv",
        f"/console/reports/{report.pk}/export.xlsx",
    ):
        assert client.get(url).status_code == 404
    assert client.post(f"/console/reports/{report.pk}/delete/").status_code == 404
    with in_tenant(tenants.a):
        assert SavedReport.objects.filter(pk=report.pk).exists()
    # Tenant B's own console lists none of A's reports.
    assert "按工种" not in client.get("/console/reports/").content.decode()


def test_the_menu_the_new_page_and_deleting(tenants, in_tenant, orders, client_for):
    desk = client_for(tenants.a, orders["desk"])
    home = desk.get("/console/")
    assert home.status_code == 200 and "/console/reports/" in home.content.decode()
    page = desk.get(NEW)
    assert page.status_code == 200
    assert b'name="group_0"' in page.content and b'name="filter_period_0"' in page.content
    report = make_report(tenants.a, in_tenant, orders["desk"])
    # A colleague who cannot see it cannot delete it either; its owner can.
    assert (
        client_for(tenants.a, orders["desk2"]).post(f"/console/reports/{report.pk}/delete/").status_code
        == 404
    )
    assert desk.post(f"/console/reports/{report.pk}/delete/").status_code == 302
    with in_tenant(tenants.a):
        assert not SavedReport.objects.filter(pk=report.pk).exists()
