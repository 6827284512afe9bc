"""Printing: the work-order sheet is a real PDF whose text (Chinese included) can be read back,
with the tenant's name and a QR code to the order's portal page; the chargeback statement
opens as a workbook and as a PDF with the right totals; both through the console's links."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.utils import translation
from pypdf import PdfReader

from modules.inventory.models import Item
from modules.workorders import printing, stats
from modules.workorders.models import MaterialLine, WorkOrder
from modules.workorders.tests import history

pytestmark = pytest.mark.django_db
MAY = dt.date(2026, 5, 1)


def text_of(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_sheet_is_a_pdf_with_the_order_in_chinese_and_a_qr_code(tenants, in_tenant, wo):
    with in_tenant(tenants.a):
        made = history.build(wo)
        order = made["o1"]
        tap = Item.objects.create(code="T1", name="水龙头", unit="个", unit_cost=Decimal("45.50"))
        MaterialLine.objects.create(order=order, item=tap, quantity=Decimal("2"), unit_cost=Decimal("45.50"))
        order = WorkOrder.objects.select_related("room__floor__building__campus").get(pk=order.pk)
        pdf = printing.order_sheet(order, portal_url="http://a.localhost/workorders/orders/1/")
    text = text_of(pdf)
    assert order.number in text
    assert "水龙头漏水" in text and "301 病房" in text and "东楼" in text  # description, room, building
    assert tenants.a.name_en in text  # the branded header (in the reader's language)
    assert "91.00" in text and "151.00" in text  # the material line and the total
    assert "chen" in text  # the worker
    # The QR code is drawn: many small filled squares in the page's content.
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    assert page.get_contents().get_data().count(b" re") > 200


def test_the_sheet_lays_out_an_order_with_nothing_filled_in_yet(tenants, in_tenant, wo):
    from modules.workorders import actions

    with in_tenant(tenants.a):
        order = actions.submit(
            user=wo["desk"],
            trade=wo["carpentry"],
            room=wo["lobby"],
            description="柜门掉了\n第二行",
            channel=WorkOrder.Channel.PHONE,
            contact_name="孙女士",
        )
        order = WorkOrder.objects.get(pk=order.pk)
        text = text_of(printing.order_sheet(order, portal_url="http://a.localhost/x/"))
    assert order.number in text and "孙女士" in text and "柜门掉了" in text


def statement_for(tenants, in_tenant, wo, department=None):
    with in_tenant(tenants.a):
        made = history.build(wo)
        dept = made[department] if department else None
        return made, stats.chargeback(WorkOrder.objects.all(), MAY, dept)


def test_the_chargeback_statement_holds_chargeable_orders_completed_in_the_month(tenants, in_tenant, wo):
    made, statement = statement_for(tenants, in_tenant, wo)
    # o1 (151.00) and o2 (50.00) of ICU; o3 is free of charge; o7 was completed in April.
    assert [g["id"] for g in statement["departments"]] == [made["icu"].pk]
    assert [o["number"] for o in statement["departments"][0]["orders"]] == ["WOTO1", "WOTO2"]
    assert (statement["count"], statement["labour"], statement["materials"], statement["total"]) == (
        2,
        Decimal("110.00"),
        Decimal("91.00"),
        Decimal("201.00"),
    )


def test_a_department_statement_includes_those_below_it_only(tenants, in_tenant, wo):
    _made, medical = statement_for(tenants, in_tenant, wo, "med")
    assert medical["total"] == Decimal("201.00")  # ICU is below MED
    with in_tenant(tenants.a):
        admin = stats.chargeback(WorkOrder.objects.all(), MAY, history.departments()["adm"])
    assert admin["count"] == 0 and admin["total"] == 0


def test_the_statement_as_a_workbook_has_the_right_totals(tenants, in_tenant, wo):
    _made, statement = statement_for(tenants, in_tenant, wo)
    with in_tenant(tenants.a):
        data = printing.chargeback_xlsx(statement)
    book = openpyxl.load_workbook(io.BytesIO(data))
    summary, orders = book.worksheets
    rows = list(orders.iter_rows(values_only=True))
    assert [r[2] for r in rows[1:3]] == ["WOTO1", "WOTO2"]
    assert [float(v) for v in rows[1][8:11]] == [60.0, 91.0, 151.0]
    assert rows[-1][2] == "Total" and float(rows[-1][10]) == 201.0
    assert float(rows[-2][10]) == 201.0  # ICU's subtotal
    summary_rows = list(summary.iter_rows(values_only=True))
    assert summary_rows[1][:3] == ("ICU", "ICU", 2) and float(summary_rows[1][5]) == 201.0
    assert float(summary_rows[-1][5]) == 201.0


def test_the_statement_as_a_pdf(tenants, in_tenant, wo):
    _made, statement = statement_for(tenants, in_tenant, wo)
    with in_tenant(tenants.a):
        text = text_of(printing.chargeback_pdf(statement))
        with translation.override("zh-hans"):
            chinese = text_of(printing.chargeback_pdf(stats.chargeback(WorkOrder.objects.all(), MAY)))
    assert "2026-05" in text and "WOTO1" in text and "WOTO2" in text and "WOTO3" not in text
    assert "201.00" in text and "ICU" in text
    assert "重症医学科" in chinese and tenants.a.name in chinese and "201.00" in chinese


def test_the_console_serves_the_sheet_and_the_statement(tenants, in_tenant, wo, client_for, tenant_admin):
    with in_tenant(tenants.a):
        made = history.build(wo)
    admin = client_for(tenants.a, tenant_admin(tenants.a))
    sheet = admin.get(f"/console/workorders/desk/orders/{made['o1'].pk}/sheet.pdf")
    assert sheet.status_code == 200 and sheet["Content-Type"] == "application/pdf"
    assert "WOTO1" in text_of(sheet.content)
    page = admin.get(f"/console/workorders/desk/orders/{made['o1'].pk}/")
    assert f"/console/workorders/desk/orders/{made['o1'].pk}/sheet.pdf" in page.content.decode()
    base = "/console/workorders/desk/chargeback/"
    screen = admin.get(base, {"month": "2026-05"})
    assert screen.status_code == 200 and screen.context["statement"]["total"] == Decimal("201.00")
    assert "format=xlsx" in screen.content.decode() and "format=pdf" in screen.content.decode()
    xlsx = admin.get(base, {"month": "2026-05", "department": made["icu"].pk, "format": "xlsx"})
    assert xlsx["Content-Disposition"] == 'attachment; filename="chargeback-2026-05-ICU.xlsx"'
    assert openpyxl.load_workbook(io.BytesIO(xlsx.content)).worksheets[0].max_row == 3  # header, ICU, total
    pdf = admin.get(base, {"month": "2026-05", "format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf" and "201.00" in text_of(pdf.content)
    bad = admin.get(base, {"month": "May", "format": "xlsx"})
    assert bad.status_code == 200 and set(bad.context["form"].errors) == {"month"}
    future = admin.get(base, {"month": "2099-01"})
    assert set(future.context["form"].errors) == {"month"}
