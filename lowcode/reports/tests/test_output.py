"""Rendering a report: the pivot grid and its totals (only where the measure adds up), CSV,
XLSX and PDF of a table and of a pivot (read back with openpyxl and pypdf, Chinese included),
the builder's pivot preview and the PDF export link."""

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone
from pypdf import PdfReader

from identity import actions as identity
from lowcode.reports import actions, output
from lowcode.reports.compiler import Result, run
from lowcode.reports.datasets import Measure, average, count, total
from lowcode.reports.models import SavedReport
from modules.workorders.models import Trade, WorkOrder

BY_TRADE_AND_PRIORITY = {
    "dataset": "workorders.orders",
    "group_by": ["trade", "priority"],
    "measures": ["count", "cost_total", "cost_avg"],
}


def text_of(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


# --- Pure: a hand-made result -----------------------------------------------------------------


def cell(value, label=None):
    return {"value": value, "label": label if label is not None else value}


def hand_made() -> Result:
    """Rows: building × month; measures: count (adds up) and an average (does not)."""
    may, june = (dt.datetime(2026, m, 1, tzinfo=dt.UTC) for m in (5, 6))
    rows = [
        {"building": cell(2, "西楼"), "month": cell(june), "count": 4, "avg": 2.5},
        {"building": cell(1, "东楼"), "month": cell(may), "count": 3, "avg": 1.0},
        {"building": cell(1, "东楼"), "month": cell(june), "count": 2, "avg": 4.0},
        {"building": cell(None), "month": cell(may), "count": 1, "avg": 8.0},
    ]
    columns = [
        {"key": "building", "label": "Building", "kind": "dimension"},
        {"key": "month", "label": "Reported", "kind": "dimension"},
        {"key": "count", "label": "Orders", "kind": "measure"},
        {"key": "avg", "label": "Average", "kind": "measure"},
    ]
    return Result(columns=columns, rows=rows, additive=frozenset({"count"}))


def test_measures_say_whether_they_add_up():
    assert Measure("n", "n", count).additive is True
    assert Measure("s", "s", total("total_cost")).additive is True
    assert Measure("a", "a", average("total_cost")).additive is False
    assert Measure("x", "x", average("total_cost"), additive=True).additive is True  # declared


def test_the_pivot_grid_and_its_totals():
    pivot = output.pivot_of(hand_made())
    # Rows in the report's order; columns (months) in their natural order.
    assert pivot.rows == ["西楼", "东楼", "—"]
    assert pivot.columns == ["2026-05-01", "2026-06-01"]
    assert pivot.row_label == "Building" and pivot.column_label == "Reported"
    orders, average_block = pivot.blocks
    assert orders.cells == [[None, 4], [3, 2], [1, None]]
    assert orders.row_totals == [4, 5, 1]
    assert orders.column_totals == [4, 6]
    assert orders.total == 10
    # An average of averages is not the average: no totals.
    assert average_block.cells == [[None, 2.5], [1.0, 4.0], [8.0, None]]
    assert average_block.row_totals == [None, None, None]
    assert average_block.column_totals == [None, None] and average_block.total is None
    grid = output.pivot_grid(pivot)
    assert grid[0] == ["Orders: Building \\ Reported", "2026-05-01", "2026-06-01", "Total"]
    assert grid[1:5] == [["西楼", "", 4, 4], ["东楼", 3, 2, 5], ["—", 1, "", 1], ["Total", 4, 6, 10]]
    assert grid[5] == ["", "", "", ""]
    assert grid[6][0] == "Average: Building \\ Reported"
    assert grid[7] == ["西楼", "", 2.5, "—"] and grid[10] == ["Total", "—", "—", "—"]
    # A report with one group is a plain table.
    one = Result(columns=hand_made().columns[:1] + hand_made().columns[2:3], rows=[])
    assert output.pivot_of(one) is None


def test_a_long_pdf_repeats_the_header_and_numbers_its_pages():
    columns = [
        {"key": "worker", "label": "维修工", "kind": "dimension"},
        {"key": "count", "label": "工单数", "kind": "measure"},
    ]
    rows = [{"worker": cell(i, f"师傅{i:03d}"), "count": i * 1000} for i in range(150)]
    pdf = output.to_pdf(Result(columns=columns, rows=rows), "维修工排行", description=["筛选：无"])
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 3
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        assert "维修工" in text and "工单数" in text  # the header row on every page
        assert f"Page {number}" in text
    first = reader.pages[0].extract_text()
    assert "维修工排行" in first and "筛选：无" in first and "149,000" in text_of(pdf)
    # Portrait: two columns are not wide.
    box = reader.pages[0].mediabox
    assert box.height > box.width
    # Chinese is drawn with the embedded CJK font (a subset of it).
    fonts = reader.pages[0]["/Resources"]["/Font"]
    embedded = [
        str(font["/BaseFont"])
        for font in (fonts[key].get_object() for key in fonts)
        if "/FontDescriptor" in font and "/FontFile2" in font["/FontDescriptor"].get_object()
    ]
    assert embedded and all("+" in name for name in embedded), embedded  # a subset, embedded


def test_csv_and_xlsx_write_formulas_as_text():
    result = Result(
        columns=[
            {"key": "trade", "label": "=label", "kind": "dimension"},
            {"key": "count", "label": "Orders", "kind": "measure"},
        ],
        rows=[{"trade": cell("x", "=HYPERLINK(1)"), "count": 2}, {"trade": cell("y", "-1+2"), "count": 3}],
    )
    lines = list(csv.reader(io.StringIO(output.to_csv(result).decode("utf-8-sig"))))
    assert lines == [["'=label", "Orders"], ["'=HYPERLINK(1)", "2"], ["'-1+2", "3"]]
    sheet = openpyxl.load_workbook(io.BytesIO(output.to_xlsx(result, "a/b:c"))).active
    assert sheet.title == "a b c"
    assert [list(r) for r in sheet.iter_rows(values_only=True)] == [
        ["'=label", "Orders"],
        ["'=HYPERLINK(1)", 2],
        ["'-1+2", 3],
    ]


# --- On the work-order dataset ----------------------------------------------------------------


@pytest.fixture
def priced(tenants, in_tenant, wo):
    """Water: 3 normal (10 ¥ each) and 1 high (5 ¥); electric: 2 normal (2.5 ¥ each)."""
    with in_tenant(tenants.a):
        water = Trade.objects.get(code="water")
        electric = Trade.objects.get(code="electric")
        room = wo["ward"]
        plan = [(water, "normal", "10")] * 3 + [(water, "high", "5")] + [(electric, "normal", "2.5")] * 2
        WorkOrder.objects.bulk_create(
            WorkOrder(
                number=f"OUT{i:04d}",
                trade=trade,
                priority=priority,
                room=room,
                building_id=room.floor.building_id,
                description="x",
                department=wo["department"],
                submitted_at=timezone.now(),
                total_cost=Decimal(cost),
                status="dispatched",
            )
            for i, (trade, priority, cost) in enumerate(plan)
        )
        names = {"water": water.name, "electric": electric.name}
        # The console speaks the user's language: English for the labels these tests read.
        desk = wo["desk"]
        desk.language = "en"
        identity.save_user(desk)
    return {**wo, "names": names}


@pytest.mark.django_db
def test_the_pivot_of_real_orders(tenants, in_tenant, priced):
    names = priced["names"]
    with in_tenant(tenants.a):
        result = run(BY_TRADE_AND_PRIORITY, principal=priced["desk"])
    assert result.additive == {"count", "cost_total"}
    pivot = output.pivot_of(result)
    assert pivot.columns == ["High", "Normal"]  # by value: "high" < "normal"
    by_name = {name: index for index, name in enumerate(pivot.rows)}
    count_block, cost, average_cost = pivot.blocks
    water, electric = by_name[names["water"]], by_name[names["electric"]]
    assert count_block.cells[water] == [1, 3] and count_block.cells[electric] == [None, 2]
    assert count_block.row_totals[water] == 4 and count_block.row_totals[electric] == 2
    assert count_block.column_totals == [1, 5] and count_block.total == 6
    assert cost.cells[water] == [5.0, 30.0] and cost.column_totals == [5.0, 35.0] and cost.total == 40.0
    assert average_cost.cells[water] == [5.0, 10.0] and average_cost.total is None


@pytest.mark.django_db
def test_exporting_a_pivot_report_as_csv_xlsx_and_pdf(tenants, in_tenant, priced, client_for):
    names = priced["names"]
    with in_tenant(tenants.a):
        report = actions.save_report(
            SavedReport(name="工种与优先级", spec=BY_TRADE_AND_PRIORITY, view="pivot"), user=priced["desk"]
        )
    client = client_for(tenants.a, priced["desk"])
    base = f"/console/reports/{report.pk}/export"

    lines = list(csv.reader(io.StringIO(client.get(f"{base}.csv").content.decode("utf-8-sig"))))
    assert lines[0] == ["Orders: Trade \\ Priority", "High", "Normal", "Total"]
    body = {line[0]: line[1:] for line in lines[1:4]}
    assert body[names["water"]] == ["1", "3", "4"] and body[names["electric"]] == ["", "2", "2"]
    assert body["Total"] == ["1", "5", "6"]
    assert lines[4] == ["", "", "", ""] and lines[5][0].startswith("Cost (¥): ")
    assert lines[-1] == ["Total", "—", "—", "—"]  # the average has no totals

    book = client.get(f"{base}.xlsx")
    assert book["Content-Type"] == output.XLSX_TYPE
    sheet = openpyxl.load_workbook(io.BytesIO(book.content)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["Orders: Trade \\ Priority", "High", "Normal", "Total"]
    grid = {r[0]: r[1:] for r in rows[1:4]}
    assert grid[names["water"]] == [1, 3, 4] and grid[names["electric"]] == [None, 2, 2]
    assert grid["Total"] == [1, 5, 6]
    cost_rows = {r[0]: r[1:] for r in rows[6:9]}
    assert cost_rows["Total"] == [5, 35, 40]
    assert sheet["A1"].font.bold and not sheet["A2"].font.bold

    pdf = client.get(f"{base}.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == f'attachment; filename="report-{report.pk}.pdf"'
    text = text_of(pdf.content)
    assert "工种与优先级" in text and tenants.a.name_en in text  # title and the organisation (in English)
    assert names["water"] in text and "Total" in text and "40" in text
    assert "Dataset: " in text and "Filters: none" in text and "Grouped by: Trade, Priority" in text


@pytest.mark.django_db
def test_exporting_a_wide_table_as_pdf_is_landscape_with_its_period(tenants, in_tenant, priced, client_for):
    spec = {
        "dataset": "workorders.orders",
        "group_by": ["trade"],
        "measures": ["count", "cost_total", "cost_avg", "labour_minutes", "rating_avg", "rating_min"],
        "filters": [{"field": "submitted", "op": "relative", "value": "this_month"}],
    }
    with in_tenant(tenants.a):
        report = actions.save_report(SavedReport(name="宽表", spec=spec, view="table"), user=priced["desk"])
    response = client_for(tenants.a, priced["desk"]).get(f"/console/reports/{report.pk}/export.pdf")
    reader = PdfReader(io.BytesIO(response.content))
    box = reader.pages[0].mediabox
    assert box.width > box.height  # seven columns: landscape
    text = text_of(response.content)
    start = timezone.now().astimezone(output.local_zone()).date().replace(day=1).isoformat()
    assert f"Reported in the period This month ({start} – " in text
    assert priced["names"]["water"] in text and "30" in text
    # Tables export flat in CSV, as before.
    lines = list(
        csv.reader(
            io.StringIO(
                client_for(tenants.a, priced["desk"])
                .get(f"/console/reports/{report.pk}/export.csv")
                .content.decode("utf-8-sig")
            )
        )
    )
    assert lines[0][:3] == ["Trade", "Orders", "Cost (¥)"] and len(lines) == 3


@pytest.mark.django_db
def test_the_builder_previews_a_pivot_and_links_pdf_and_schedules(tenants, in_tenant, priced, client_for):
    client = client_for(tenants.a, priced["desk"])
    response = client.post(
        "/console/reports/new/",
        {
            "dataset": "workorders.orders",
            "group_0": "trade",
            "group_1": "priority",
            "measures": ["count"],
            "view": "pivot",
            "then": "preview",
        },
    )
    assert response.status_code == 200
    pivot = response.context["pivot"]
    assert pivot.columns == ["High", "Normal"] and pivot.blocks[0].total == 6
    assert response.context["chart"] is None
    page = response.content.decode()
    assert 'id="report-pivot"' in page and 'data-measure="count"' in page and 'id="report-table"' not in page
    with in_tenant(tenants.a):
        report = actions.save_report(
            SavedReport(name="透视", spec=BY_TRADE_AND_PRIORITY, view="pivot"), user=priced["desk"]
        )
    page = client.get(f"/console/reports/{report.pk}/").content.decode()
    assert f"/console/reports/{report.pk}/export.pdf" in page
    assert f"/console/reports/{report.pk}/schedules/" in page


@pytest.mark.django_db
def test_a_pivot_charts_as_grouped_bars(tenants, in_tenant, priced):
    from lowcode.reports.console_views import chart_spec

    with in_tenant(tenants.a):
        result = run(BY_TRADE_AND_PRIORITY, principal=priced["desk"])
        flat = run({"dataset": "workorders.orders", "group_by": ["trade"]}, principal=priced["desk"])
    chart = chart_spec(result, "pivot")
    assert chart["kind"] == "bar" and [s["name"] for s in chart["series"]] == ["High", "Normal"]
    water = chart["categories"].index(priced["names"]["water"])
    assert chart["series"][1]["data"][water] == 3
    # One group: plain bars.
    assert chart_spec(flat, "pivot")["kind"] == "bar"
