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
