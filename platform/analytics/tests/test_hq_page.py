"""The group overview in the HQ's console: its subsidiaries' figures and the total, for HQ
viewers only; a subsidiary has no such page; a tenant outside the group never shows."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from analytics.models import WorkOrderRollup

pytestmark = pytest.mark.django_db


@pytest.fixture
def rollups(tenants):
    today = timezone.localdate()
    for tenant, orders, in_time in ((tenants.sub, 8, 6), (tenants.a, 50, 1)):
        WorkOrderRollup.objects.create(
            tenant=tenant,
            day=today.replace(day=1),
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
            response_minutes=[10.0, 20.0, 30.0],
            resolution_minutes=[100.0, 300.0],
        )


def test_an_hq_viewer_sees_the_subsidiaries_and_the_total(tenants, client_for, person, rollups):
    viewer = person(tenants.hq, "hq-viewer", "hq_viewer")
    page = client_for(tenants.hq, user=viewer).get("/console/reports/group/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-tenant="tsub"' in html and tenants.sub.name in html
    assert 'data-tenant="ta"' not in html and tenants.a.name not in html  # outside the group
    total = html.split('id="hq-total"', 1)[1].split("</tr>", 1)[0]
    assert (
        "<th>8</th>" in total and "<th>75.0</th>" in total and "<th>20.0</th>" in total
    )  # 6 of 8; median 20


def test_others_are_refused(tenants, client_for, person, tenant_admin, rollups):
    # A subsidiary (not a group) has no such page, even for its administrator.
    assert (
        client_for(tenants.sub, user=tenant_admin(tenants.sub)).get("/console/reports/group/").status_code
        == 404
    )
    # In the HQ, someone without reports.hq is turned away (the console redirects home).
    desk = person(tenants.hq, "hq-desk", "dispatcher")
    response = client_for(tenants.hq, user=desk).get("/console/reports/group/")
    assert response.status_code in (302, 403) and tenants.sub.name not in response.content.decode()
    assert dt.date.today()  # the period is computed from today in the view


def _cell(tenant, day, trade, orders, in_time, minutes, cost="10.00"):
    return WorkOrderRollup.objects.create(
        tenant=tenant,
        day=day,
        trade=trade,
        priority="normal",
        orders=orders,
        completed=orders,
        responded=orders,
        responded_in_time=in_time,
        resolved_in_time=in_time,
        rated=1,
        rating_sum=4,
        cost=Decimal(cost),
        response_minutes=minutes,
        resolution_minutes=minutes,
    )


@pytest.fixture
def two_subsidiaries(tenants, rollups):
    """The subsidiary (8 orders this month) and a depth-2 one (3 orders last month, faster)."""
    from tenants.models import Tenant

    deep = Tenant.objects.create(schema_name="tdeep", name="孙公司", kind="hospital", parent=tenants.sub)
    first = timezone.localdate().replace(day=1)
    last_month = (first - dt.timedelta(days=1)).replace(day=1)
    _cell(deep, last_month, "electric", 3, 3, [5.0], cost="900.00")
    return deep


def _kpi(html, key):
    return html.split(f'data-kpi="{key}"', 1)[1].split("<b>", 1)[1].split("</b>", 1)[0]


def _league(html):
    body = html.split('id="hq-league"', 1)[1].split("</tbody>", 1)[0]
    rows = body.split("<tr ")[1:]
    return [
        (
            row.split('data-tenant="', 1)[1].split('"', 1)[0],
            row.split('class="hq-rank">', 1)[1].split("<", 1)[0],
        )
        for row in rows
    ]


def test_league_categories_months_and_sorting(tenants, client_for, person, two_subsidiaries):
    viewer = person(tenants.hq, "hq-viewer2", "hq_viewer")
    client = client_for(tenants.hq, user=viewer)
    html = client.get("/console/reports/group/").content.decode()
    assert _league(html) == [("tsub", "1"), ("tdeep", "2")]  # by orders: 8, 3
    assert "ta" not in dict(_league(html))
    faster = client.get("/console/reports/group/?sort=response_p50").content.decode()
    assert _league(faster) == [("tdeep", "1"), ("tsub", "2")]  # 5 min before 20 min
    costly = client.get("/console/reports/group/?sort=cost").content.decode()
    assert _league(costly)[0] == ("tdeep", "1")
    # Cost by category: a row per trade, a column per subsidiary and the total.
    water = html.split('data-trade="water"', 1)[1].split("</tr>", 1)[0]
    electric = html.split('data-trade="electric"', 1)[1].split("</tr>", 1)[0]
    assert "120.50" in water.split('class="hq-category-total"', 1)[1]
    assert "900.00" in electric.split('class="hq-category-total"', 1)[1]
    # Orders by month: the total column adds the subsidiaries up.
    this_month = timezone.localdate().strftime("%Y-%m")
    row = html.split(f'data-month="{this_month}"', 1)[1].split("</tr>", 1)[0]
    assert '<td class="hq-month-total">8</td>' in row
    assert (
        'id="hq-month-data"' in html
        and 'id="hq-cost-data"' in html
        and "lowcode_reports/console/hq.js" in html
    )
    # The total KPI card counts both subsidiaries, never the tenant outside the group.
    assert _kpi(html, "orders") == "11"
    # Last month only: the depth-2 subsidiary's 3 orders.
    last = client.get("/console/reports/group/?period=last_month").content.decode()
    assert _kpi(last, "orders") == "3"


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ("period=custom&from=2026-13&to=2026-05", {"from"}),
        ("period=custom&from=&to=", {"from", "to"}),
        ("period=custom&from=2026-06&to=2026-01", {"to"}),
        ("period=custom&from=2020-01&to=2026-01", {"to"}),
        ("period=forever", {"period"}),
    ],
)
def test_bad_custom_months_are_explained(tenants, client_for, person, rollups, query, fields):
    viewer = person(tenants.hq, "hq-viewer3", "hq_viewer")
    html = client_for(tenants.hq, user=viewer).get(f"/console/reports/group/?{query}").content.decode()
    shown = {field for field in ("period", "from", "to") if f'data-error="{field}"' in html}
    assert shown == fields
    assert _kpi(html, "orders") == "8"  # the default period instead


def test_custom_months(tenants, client_for, person, two_subsidiaries):
    viewer = person(tenants.hq, "hq-viewer4", "hq_viewer")
    month = timezone.localdate().strftime("%Y-%m")
    html = (
        client_for(tenants.hq, user=viewer)
        .get(f"/console/reports/group/?period=custom&from={month}&to={month}")
        .content.decode()
    )
    assert "error-message" not in html
    assert _kpi(html, "orders") == "8"


def test_drill_down_into_one_subsidiary(tenants, client_for, person, two_subsidiaries):
    viewer = person(tenants.hq, "hq-viewer5", "hq_viewer")
    client = client_for(tenants.hq, user=viewer)
    page = client.get("/console/reports/group/tsub/")
    assert page.status_code == 200
    html = page.content.decode()
    assert tenants.sub.name in html and 'data-tenant="tsub"' in html
    assert _kpi(html, "orders") == "8"  # its own, not the deep one's 3
    month = timezone.localdate().strftime("%Y-%m")
    assert f'data-month="{month}"><td>{month}</td><td>8</td>' in html
    assert 'data-trade="water"' in html and 'data-trade="electric"' not in html
    deep = client.get("/console/reports/group/tdeep/").content.decode()
    assert 'data-trade="electric"' in deep
    # Outside the group (or unknown): 404, whatever the name.
    assert client.get("/console/reports/group/ta/").status_code == 404
    assert client.get("/console/reports/group/thq/").status_code == 404
    assert client.get("/console/reports/group/nope/").status_code == 404


def test_a_subsidiary_cannot_open_the_group_pages(tenants, client_for, person, tenant_admin, rollups):
    admin = client_for(tenants.sub, user=tenant_admin(tenants.sub))
    assert admin.get("/console/reports/group/").status_code == 404
    assert admin.get("/console/reports/group/tsub/").status_code == 404
    viewer = client_for(tenants.sub, user=person(tenants.sub, "sub-hq-viewer", "hq_viewer"))
    assert viewer.get("/console/reports/group/").status_code == 404
    desk = client_for(tenants.hq, user=person(tenants.hq, "hq-desk2", "dispatcher"))
    response = desk.get("/console/reports/group/tsub/")
    assert response.status_code in (302, 403) and tenants.sub.name not in response.content.decode()
