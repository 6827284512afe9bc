"""Dashboards: who sees and edits them, the one default (administrators only), widgets of
reports the editor may open, figures per viewer's scope, drill-down into exactly the records a
figure counts, tenant isolation, the console home panel and the demo dashboard."""

import json
import re
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from identity import actions as identity
from identity.defaults import root_department
from identity.models import DataScope, Department, Role
from kernel.models import OutboxEvent
from lowcode.reports import dashboards
from lowcode.reports.models import Dashboard, SavedReport, Widget
from lowcode.reports.tests.test_saved import BY_TRADE, make_report, orders  # noqa: F401
from modules.workorders.models import Trade, WorkOrder
from modules.workorders.tests.conftest import wo  # noqa: F401
from tests.api.helpers import far_ids

pytestmark = pytest.mark.django_db

LIST = "/console/reports/dashboards/"
NEW = "/console/reports/dashboards/new/"


def make_dashboard(tenant, in_tenant, owner, *, reports=(), roles=(), default=False, name="运行看板"):
    with in_tenant(tenant):
        dashboard = dashboards.save_dashboard(
            Dashboard(name=name, name_en="Operations", is_default=default),
            user=owner,
            roles=[Role.objects.get(code=code) for code in roles],
        )
        for report in reports:
            dashboards.add_widget(dashboard, user=owner, report=report)
        return dashboard


def widget_figures(response):
    return {w["title"]: w for w in response.context["widgets"]}


# --- Who sees, who edits, the one default ------------------------------------------------------


def test_who_sees_and_who_edits_a_dashboard(tenants, in_tenant, orders, person, tenant_admin, client_for):  # noqa: F811
    desk, desk2 = orders["desk"], orders["desk2"]
    admin = tenant_admin(tenants.a)
    approver = person(tenants.a, "appr", "dispatcher", "approver")
    dashboard = make_dashboard(tenants.a, in_tenant, desk, roles=["approver"])
    with in_tenant(tenants.a):
        assert list(dashboards.visible_dashboards(desk)) == [dashboard]
        assert list(dashboards.visible_dashboards(desk2)) == []  # not shared with dispatchers
        assert list(dashboards.visible_dashboards(approver)) == [dashboard]
        assert list(dashboards.visible_dashboards(admin)) == [dashboard]  # reports.view_all
        # A colleague who merely sees it cannot change it; an administrator can.
        with pytest.raises(PermissionDenied, match="reports.change"):
            dashboards.save_dashboard(Dashboard.objects.get(pk=dashboard.pk), user=approver)
        again = Dashboard.objects.get(pk=dashboard.pk)
        again.name = "改名"
        dashboards.save_dashboard(again, user=admin)
        assert Dashboard.objects.get(pk=dashboard.pk).name == "改名"
        assert Dashboard.objects.get(pk=dashboard.pk).owner_id == desk.pk
        with pytest.raises(PermissionDenied):
            dashboards.delete_dashboard(again, user=approver)
    url = f"{LIST}{dashboard.pk}/"
    assert client_for(tenants.a, desk).get(url).status_code == 200
    assert client_for(tenants.a, desk2).get(url).status_code == 404
    assert client_for(tenants.a, desk2).get(f"{url}edit/").status_code == 404
    shared = client_for(tenants.a, approver)
    assert shared.get(url).status_code == 200 and b"/edit/" not in shared.get(url).content
    assert shared.get(f"{url}edit/").status_code == 302  # PermissionDenied → Wagtail's redirect
    assert "改名" in shared.get(LIST).content.decode()
    assert "改名" not in client_for(tenants.a, desk2).get(LIST).content.decode()
    # The owner deletes it (POST only).
    owner = client_for(tenants.a, desk)
    assert owner.get(f"{url}delete/").status_code == 404
    assert owner.post(f"{url}delete/").status_code == 302
    with in_tenant(tenants.a):
        assert not Dashboard.objects.exists()
        assert OutboxEvent.objects.filter(topic="reports.dashboard.deleted").count() == 1


def test_only_administrators_choose_the_one_default(tenants, in_tenant, orders, tenant_admin, client_for):  # noqa: F811
    desk = orders["desk"]
    admin = tenant_admin(tenants.a)
    with in_tenant(tenants.a):
        with pytest.raises(ValidationError) as caught:
            dashboards.save_dashboard(Dashboard(name="我的", is_default=True), user=desk)
        assert set(caught.value.message_dict) == {"is_default"}
        assert not Dashboard.objects.exists()
        with pytest.raises(ValidationError) as caught:
            dashboards.save_dashboard(Dashboard(name="", is_default=True), user=desk)
        assert set(caught.value.message_dict) == {"is_default", "name"}
    mine = make_dashboard(tenants.a, in_tenant, desk, name="我的")
    first = make_dashboard(tenants.a, in_tenant, admin, name="一", default=True)
    with in_tenant(tenants.a):
        # An administrator makes the desk's dashboard the default: the previous one stops being it.
        mine.is_default = True
        dashboards.save_dashboard(mine, user=admin)
        assert list(Dashboard.objects.filter(is_default=True)) == [mine]
        assert not Dashboard.objects.get(pk=first.pk).is_default
        # Its owner may still rename it, but not take the default away.
        mine = Dashboard.objects.get(pk=mine.pk)
        mine.name = "我的看板"
        dashboards.save_dashboard(mine, user=desk)
        mine.is_default = False
        with pytest.raises(ValidationError) as caught:
            dashboards.save_dashboard(mine, user=desk)
        assert "is_default" in caught.value.message_dict
        assert Dashboard.objects.get(pk=mine.pk).is_default
    # In the console: the desk's box is disabled and a forged "on" is a field error.
    client = client_for(tenants.a, desk)
    page = client.get(NEW)
    assert page.status_code == 200 and b'name="is_default" id="is_default" disabled' in page.content
    response = client.post(NEW, {"name": "伪造", "is_default": "on", "then": "save"})
    assert response.status_code == 200 and b'data-error="is_default"' in response.content
    with in_tenant(tenants.a):
        assert not Dashboard.objects.filter(name="伪造").exists()
    # An administrator's form sets it.
    response = client_for(tenants.a, admin).post(NEW, {"name": "总览", "is_default": "on", "then": "save"})
    assert response.status_code == 302
    with in_tenant(tenants.a):
        assert list(Dashboard.objects.filter(is_default=True).values_list("name", flat=True)) == ["总览"]


# --- Widgets -----------------------------------------------------------------------------------


def test_a_widget_needs_a_report_the_editor_may_open(tenants, in_tenant, orders, client_for):  # noqa: F811
    desk, desk2 = orders["desk"], orders["desk2"]
    private = make_report(tenants.a, in_tenant, desk2)  # desk2's own, shared with nobody
    own = make_report(tenants.a, in_tenant, desk)
    dashboard = make_dashboard(tenants.a, in_tenant, desk)
    with in_tenant(tenants.a):
        with pytest.raises(ValidationError) as caught:
            dashboards.add_widget(dashboard, user=desk, report=private)
        assert set(caught.value.message_dict) == {"report"}
        with pytest.raises(ValidationError) as caught:
            dashboards.add_widget(dashboard, user=desk, report=own, view="radar", width="huge")
        assert set(caught.value.message_dict) == {"view", "width"}
        with pytest.raises(ValidationError) as caught:
            dashboards.add_widget(dashboard, user=desk, report=None)
        assert set(caught.value.message_dict) == {"report"}
        assert not Widget.objects.exists()
        # Someone who cannot edit the dashboard cannot add to it either.
        with pytest.raises(PermissionDenied):
            dashboards.add_widget(dashboard, user=desk2, report=private)
    # The console names the field and writes nothing (not even the other changes).
    client = client_for(tenants.a, desk)
    edit = f"{LIST}{dashboard.pk}/edit/"
    response = client.post(edit, {"name": "新名字", "add_report": str(private.pk), "then": "add"})
    assert response.status_code == 200 and b'data-error="add_report"' in response.content
    with in_tenant(tenants.a):
        assert not Widget.objects.exists()
        assert Dashboard.objects.get(pk=dashboard.pk).name == "运行看板"
    assert str(private.pk) not in [str(r.pk) for r in response.context["reports"]]  # not offered either


def test_editing_widgets_in_the_console(tenants, in_tenant, orders, client_for):  # noqa: F811
    desk = orders["desk"]
    one = make_report(tenants.a, in_tenant, desk)
    two = make_report(tenants.a, in_tenant, desk, spec={**BY_TRADE, "group_by": ["status"]}, view="pie")
    client = client_for(tenants.a, desk)
    created = client.post(NEW, {"name": "看板", "name_en": "Board", "then": "save"})
    assert created.status_code == 302
    with in_tenant(tenants.a):
        dashboard = Dashboard.objects.get()
    edit = f"{LIST}{dashboard.pk}/edit/"
    for report, width in ((one, "full"), (two, "half")):
        response = client.post(
            edit, {"name": "看板", "add_report": str(report.pk), "add_width": width, "then": "add"}
        )
        assert response.status_code == 302
    with in_tenant(tenants.a):
        first, second = Widget.objects.filter(dashboard=dashboard).order_by("position")
        assert (first.report_id, first.width, second.report_id) == (one.pk, "full", two.pk)
    # A bad view override is a field error next to its widget; nothing changes.
    response = client.post(
        edit, {"name": "看板", f"widget_{first.pk}_view": "radar", f"widget_{first.pk}_title": "新标题"}
    )
    assert response.status_code == 200 and f'data-error="widget_{first.pk}_view"'.encode() in response.content
    with in_tenant(tenants.a):
        assert Widget.objects.get(pk=first.pk).title == ""
    # Title and view, then move the second up, then remove it.
    response = client.post(
        edit,
        {
            "name": "看板",
            f"widget_{first.pk}_title": "按工种",
            f"widget_{first.pk}_view": "bar",
            f"widget_{first.pk}_width": "full",
            "then": f"up_{second.pk}",
        },
    )
    assert response.status_code == 302
    with in_tenant(tenants.a):
        assert list(Widget.objects.filter(dashboard=dashboard).values_list("pk", flat=True)) == [
            second.pk,
            first.pk,
        ]
        assert Widget.objects.get(pk=first.pk).title == "按工种"
        assert Widget.objects.get(pk=first.pk).view == "bar"
    assert client.post(edit, {"name": "看板", "then": f"remove_{second.pk}"}).status_code == 302
    with in_tenant(tenants.a):
        assert list(Widget.objects.filter(dashboard=dashboard)) == [Widget.objects.get(pk=first.pk)]
    page = client.get(f"{LIST}{dashboard.pk}/")
    assert page.status_code == 200
    assert list(widget_figures(page)) == ["按工种"]


# --- Figures per viewer, drill-down ------------------------------------------------------------


@pytest.fixture
def units(tenants, in_tenant, orders, person):  # noqa: F811
    """Medicine (with a ward below it) and surgery; a head of medicine whose role sees her
    subtree; orders: 2 water in medicine, 1 electric in its ward, 3 water in surgery."""
    with in_tenant(tenants.a):
        WorkOrder.objects.all().delete()
        root = root_department()
        medicine = identity.create_department(Department(code="MED", name="内科"), parent=root)
        ward = identity.create_department(Department(code="MED-W", name="内科病区"), parent=medicine)
        surgery = identity.create_department(Department(code="SUR", name="外科"), parent=root)
        Role.objects.create(
            code="head",
            name="科主任",
            name_en="Head",
            permissions=["console.access", "reports.view", "workorders.view"],
            data_scope=DataScope.SUBTREE,
        )
        water, electric = Trade.objects.get(code="water"), Trade.objects.get(code="electric")
        room = orders["ward"]
        rows = [(water, medicine)] * 2 + [(electric, ward)] + [(water, surgery)] * 3
        WorkOrder.objects.bulk_create(
            WorkOrder(
                number=f"DSH{i:04d}",
                trade=trade,
                priority="normal",
                room=room,
                building_id=room.floor.building_id,
                description="x",
                department=department,
                submitted_at=timezone.now(),
                total_cost=Decimal("4"),
                status="dispatched",
            )
            for i, (trade, department) in enumerate(rows)
        )
    head = person(tenants.a, "head", "head", department=medicine)
    return {**orders, "head": head, "medicine": medicine, "surgery": surgery}


def test_each_viewer_sees_figures_of_their_own_scope(tenants, in_tenant, units, tenant_admin, client_for):
    admin = tenant_admin(tenants.a)
    report = make_report(tenants.a, in_tenant, admin, view="bar")
    dashboard = make_dashboard(tenants.a, in_tenant, admin, reports=[report], roles=["head"])
    url = f"{LIST}{dashboard.pk}/"
    with in_tenant(tenants.a):
        names = {t.code: t.name for t in Trade.objects.all()}

    def series(user):
        response = client_for(tenants.a, user).get(url)
        assert response.status_code == 200
        figure = widget_figures(response)["按工种"]["figure"]
        assert figure["kind"] == "bar"
        return dict(zip(figure["categories"], figure["series"][0]["data"], strict=True)), figure

    everything, _figure = series(admin)
    assert everything == {names["water"]: 5, names["electric"]: 1}
    mine, figure = series(units["head"])
    assert mine == {names["water"]: 2, names["electric"]: 1}  # her department and the ward below
    assert figure["cells"] == [{"trade": "water"}, {"trade": "electric"}]
    # Her drill-down lists the same records her bar counts, not surgery's.
    client = client_for(tenants.a, units["head"])
    response = client.get(figure["drill"] + "?cell=" + quote(json.dumps(figure["cells"][0])))
    assert response.status_code == 200 and response.context["total"] == 2
    with in_tenant(tenants.a):
        medicine_numbers = set(
            WorkOrder.objects.filter(department=units["medicine"], trade__code="water").values_list(
                "number", flat=True
            )
        )
    assert {row["cells"][0] for row in response.context["rows"]} == medicine_numbers


def test_drill_down_lists_the_records_each_figure_counts(tenants, in_tenant, orders, client_for):  # noqa: F811
    desk = orders["desk"]
    monthly = make_report(
        tenants.a,
        in_tenant,
        desk,
        spec={
            "dataset": "workorders.orders",
            "group_by": ["trade", "submitted:month"],
            "measures": ["count"],
        },
        view="line",
    )
    dashboard = make_dashboard(tenants.a, in_tenant, desk, reports=[monthly])
    client = client_for(tenants.a, desk)
    page = client.get(f"{LIST}{dashboard.pk}/")
    figure = widget_figures(page)["按工种"]["figure"]
    assert figure["kind"] == "line" and len(figure["cells"]) == 2
    # Months travel as ISO text in the page's JSON.
    assert all(isinstance(cell["submitted:month"], str) for cell in figure["cells"])
    assert (
        f'id="widget-{page.context["widgets"][0]["pk"]}-data" type="application/json"'.encode()
        in page.content
    )
    for cell, count in zip(figure["cells"], figure["series"][0]["data"], strict=True):
        response = client.get(figure["drill"] + "?cell=" + quote(json.dumps(cell)))
        assert response.status_code == 200
        assert response.context["total"] == count
        assert len(response.context["rows"]) == count
        assert all(re.search(r"/orders/\d+/$", row["url"]) for row in response.context["rows"])
        assert response.context["described"][0][0]  # the figure named at the top
    # A table widget's rows link to the same page; 50 records per page.
    with in_tenant(tenants.a):
        water = Trade.objects.get(code="water")
        room = orders["ward"]
        WorkOrder.objects.bulk_create(
            WorkOrder(
                number=f"MANY{i:04d}",
                trade=water,
                priority="normal",
                room=room,
                building_id=room.floor.building_id,
                description="x",
                submitted_at=timezone.now(),
                status="dispatched",
            )
            for i in range(60)
        )
    table = make_report(tenants.a, in_tenant, desk, view="table")
    board = make_dashboard(tenants.a, in_tenant, desk, reports=[table], name="表")
    rows = widget_figures(client.get(f"{LIST}{board.pk}/"))["按工种"]["figure"]["rows"]
    assert rows[0]["cells"][:2] == [water.name, 65]
    first = client.get(rows[0]["url"])
    assert first.context["total"] == 65 and len(first.context["rows"]) == 50
    second = client.get(rows[0]["url"] + "&page=2")
    assert len(second.context["rows"]) == 15
    assert b"page=2" in first.content
    # Bad cells are a message, not an error page.
    base = f"/console/reports/{monthly.pk}/records/"
    for bad in ("{not json", "[1, 2]", json.dumps({"status": "done"}), json.dumps({"trade": ["x"]})):
        response = client.get(base + "?cell=" + quote(bad))
        assert response.status_code == 400
        assert b'id="records-error"' in response.content
    # Someone who may open neither the report nor a dashboard with it gets nothing.
    assert client_for(tenants.a, orders["desk2"]).get(base + "?cell={}").status_code == 404


def test_a_widget_whose_report_fails_shows_why(tenants, in_tenant, orders, client_for):  # noqa: F811
    desk = orders["desk"]
    report = make_report(tenants.a, in_tenant, desk)
    dashboard = make_dashboard(tenants.a, in_tenant, desk, reports=[report])
    with in_tenant(tenants.a):
        SavedReport.objects.filter(pk=report.pk).update(spec={**BY_TRADE, "group_by": ["nonsense"]})
    response = client_for(tenants.a, desk).get(f"{LIST}{dashboard.pk}/")
    assert response.status_code == 200
    widget = widget_figures(response)["按工种"]
    assert widget["figure"] is None and "nonsense" in widget["error"]
    assert b"data-widget-error" in response.content


# --- Tenants, console home, demo ---------------------------------------------------------------


def test_another_tenant_cannot_reach_the_dashboard(tenants, in_tenant, orders, client_for, tenant_admin):  # noqa: F811
    with in_tenant(tenants.a):
        far_ids(tenants.a, "lowcode_reports_dashboard", "lowcode_reports_savedreport")
    admin_a = tenant_admin(tenants.a)
    report = make_report(tenants.a, in_tenant, admin_a)
    dashboard = make_dashboard(tenants.a, in_tenant, admin_a, reports=[report], default=True)
    assert dashboard.pk >= 1_000_000 and report.pk >= 1_000_000
    client = client_for(tenants.b, tenant_admin(tenants.b))
    for url in (
        f"{LIST}{dashboard.pk}/",
        f"{LIST}{dashboard.pk}/edit/",
        f"/console/reports/{report.pk}/records/?cell={{}}",
    ):
        assert client.get(url).status_code == 404
    assert client.post(f"{LIST}{dashboard.pk}/delete/").status_code == 404
    assert client.post(f"{LIST}{dashboard.pk}/edit/", {"name": "x"}).status_code == 404
    assert "运行看板" not in client.get(LIST).content.decode()
    assert 'id="panel-default-dashboard"' not in client.get("/console/").content.decode()
    with in_tenant(tenants.a):
        assert Dashboard.objects.get(pk=dashboard.pk).name == "运行看板"


def test_the_console_home_shows_the_default_dashboard(tenants, in_tenant, orders, tenant_admin, client_for):  # noqa: F811
    admin = tenant_admin(tenants.a)
    report = make_report(tenants.a, in_tenant, admin, view="bar")
    assert (
        'id="panel-default-dashboard"' not in client_for(tenants.a, admin).get("/console/").content.decode()
    )
    make_dashboard(
        tenants.a, in_tenant, admin, reports=[report], roles=["dispatcher"], default=True, name="总览"
    )
    home = client_for(tenants.a, orders["desk"]).get("/console/").content.decode()
    assert 'id="panel-default-dashboard"' in home and "总览" in home
    assert "data-widget-chart" in home and "lowcode_reports/console/dashboard.js" in home
    # No longer shared with dispatchers: the desk sees no such panel.
    with in_tenant(tenants.a):
        dashboard = Dashboard.objects.get()
        dashboard.shared_with_roles.clear()
    home = client_for(tenants.a, orders["desk"]).get("/console/").content.decode()
    assert 'id="panel-default-dashboard"' not in home


def test_the_demo_dashboard(tenants, in_tenant, orders, tenant_admin, client_for):  # noqa: F811
    from lowcode.reports import demo
    from tenants.actions import set_module_enabled

    with in_tenant(tenants.a):
        demo.seed(tenants.a)
        demo.seed(tenants.a)  # idempotent
        dashboard = Dashboard.objects.get()
        assert dashboard.is_default and dashboard.name == "后勤运行总览"
        assert [w.report.view for w in dashboard.widgets.order_by("position")] == [
            "line",
            "bar",
            "kpi",
            "table",
        ]
        assert SavedReport.objects.count() == 4
    response = client_for(tenants.a, tenant_admin(tenants.a)).get("/console/")
    assert response.status_code == 200 and "后勤运行总览" in response.content.decode()
    page = client_for(tenants.a, orders["desk"]).get(f"{LIST}{dashboard.pk}/")  # shared with dispatchers
    assert page.status_code == 200
    assert [w["error"] for w in page.context["widgets"]] == [None] * 4
    # Without work orders there is nothing to report on: nothing is made.
    set_module_enabled(tenants.b, "workorders", False, actor="tests")
    with in_tenant(tenants.b):
        demo.seed(tenants.b)
        assert not Dashboard.objects.exists() and not SavedReport.objects.exists()
