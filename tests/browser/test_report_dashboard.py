"""A dashboard in Chromium: the tenant administrator opens the default dashboard, the bar chart
draws (ECharts), a click on the plumbing bar opens the records behind it — as many as the bar
says. Screenshot: docs/screenshots/report-dashboard.png (README)."""

import uuid
from decimal import Decimal

import pytest
from django.utils import timezone

from kernel.context import tenant_schema
from tests.browser.test_console_and_portal import SCREENSHOTS, console_login

pytestmark = pytest.mark.browser


@pytest.fixture
def board(url, tenants):
    """Tenant A: 3 plumbing and 2 electrical orders, a by-trade bar report and a KPI, on the
    default dashboard. Orders and spaces are emptied by committed_db; reports and dashboards
    (tables it does not empty) are removed here."""
    from identity.models import User
    from lowcode.reports import actions, dashboards
    from lowcode.reports.models import Dashboard, SavedReport
    from modules.spaces import actions as spaces
    from modules.workorders.models import Trade, WorkOrder
    from tenants.actions import set_module_enabled

    for key in ("inventory", "workorders"):
        set_module_enabled(tenants.a, key, True, actor="tests")
    tag = uuid.uuid4().hex[:6]
    with tenant_schema("ta"):
        admin = User.objects.get(username="admin@ta.test")
        campus = spaces.create_campus(code=f"M{tag}", name="本部")
        east = spaces.create_building(campus=campus, code="E", name="东楼")
        floor = spaces.create_floor(building=east, level=3, code="3F", name="三层")
        ward = spaces.create_room(floor=floor, code="301", name="301 病房", kind="ward")
        water, electric = Trade.objects.get(code="water"), Trade.objects.get(code="electric")
        WorkOrder.objects.bulk_create(
            WorkOrder(
                number=f"BRD{tag}{i}",
                trade=water if i < 3 else electric,
                priority="normal",
                room=ward,
                building_id=east.pk,
                description="x",
                submitted_at=timezone.now(),
                total_cost=Decimal("8"),
                status="dispatched",
            )
            for i in range(5)
        )
        by_trade = actions.save_report(
            SavedReport(
                name="各工种报修量",
                name_en="Orders by trade",
                spec={
                    "dataset": "workorders.orders",
                    "group_by": ["trade"],
                    "measures": ["count"],
                    "sort": [{"key": "count", "desc": True}],
                },
                view="bar",
            ),
            user=admin,
        )
        total = actions.save_report(
            SavedReport(
                name="报修总量",
                name_en="All orders",
                spec={"dataset": "workorders.orders", "measures": ["count", "cost_total"]},
                view="kpi",
            ),
            user=admin,
        )
        dashboard = dashboards.save_dashboard(
            Dashboard(name="后勤运行总览", name_en="Operations overview", is_default=True), user=admin
        )
        dashboards.add_widget(dashboard, user=admin, report=by_trade, width="full")
        dashboards.add_widget(dashboard, user=admin, report=total)
    yield {"dashboard": dashboard, "report": by_trade, "water": water}
    with tenant_schema("ta"):
        Dashboard.objects.filter(pk=dashboard.pk).delete()
        SavedReport.objects.filter(pk__in=[by_trade.pk, total.pk]).delete()


def test_click_a_bar_to_list_its_records(page, url, board):
    console_login(page, url, "a.localhost", "admin@ta.test")
    # The console home shows the default dashboard.
    page.wait_for_selector("#panel-default-dashboard [data-widget-chart][data-state=ready]")
    page.goto(url("a.localhost", f"/console/reports/dashboards/{board['dashboard'].pk}/"))
    chart = page.wait_for_selector("section[data-view=bar] [data-widget-chart][data-state=ready]")
    page.wait_for_selector("section[data-view=kpi] .report-kpi")
    assert page.inner_text("section[data-view=kpi] .report-kpi >> nth=0").split()[0] == "5"
    page.wait_for_timeout(400)  # the bars' entry animation
    page.screenshot(path=str(SCREENSHOTS / "report-dashboard.png"), full_page=True)
    # The middle of the first bar (plumbing, 3 orders), in the chart's own pixels.
    x, y = page.evaluate(
        """el => {
            const chart = echarts.getInstanceByDom(el);
            const option = chart.getOption();
            const value = option.series[0].data[0];
            return chart.convertToPixel({seriesIndex: 0}, [0, value / 2]);
        }""",
        chart,
    )
    box = chart.bounding_box()
    with page.expect_navigation():
        page.mouse.click(box["x"] + x, box["y"] + y)
    assert f"/console/reports/{board['report'].pk}/records/" in page.url
    assert page.get_attribute("#records-table", "data-total") == "3"
    assert page.locator("#records-table tr[data-record]").count() == 3
    assert board["water"].name in page.inner_text("#records-figure")
    # Each row opens its order.
    href = page.get_attribute("#records-table tr[data-record] a >> nth=0", "href")
    assert "/orders/" in href
