"""The statistics against figures worked out by hand on the history of tests/history.py, for
an organisation-wide viewer and for a viewer whose role sees one department and below."""

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ValidationError

from identity.access import restrict
from identity.models import DataScope, Role
from modules.workorders import stats
from modules.workorders.models import WorkOrder
from modules.workorders.tests import history

pytestmark = pytest.mark.django_db
MAY = stats.period("month", today=history.TODAY)


def test_periods_follow_the_calendar_in_the_organisations_time_zone(tenants, in_tenant):
    with in_tenant(tenants.a):
        assert (MAY.first_day, MAY.last_day, MAY.unit) == (dt.date(2026, 5, 1), dt.date(2026, 5, 31), "week")
        assert MAY.start == dt.datetime(2026, 5, 1, tzinfo=history.TZ)
        assert MAY.end == dt.datetime(2026, 6, 1, tzinfo=history.TZ)
        year = stats.period("12m", today=history.TODAY)
        assert (year.first_day, year.last_day, year.unit) == (
            dt.date(2025, 6, 1),
            dt.date(2026, 5, 31),
            "month",
        )
        january = stats.period("last_month", today=dt.date(2026, 2, 3))
        assert (january.first_day, january.last_day) == (dt.date(2026, 1, 1), dt.date(2026, 1, 31))
        custom = stats.period("custom", first_day="2026-01-01", last_day="2026-06-30")
        assert custom.unit == "month" and custom.days == 181
        with pytest.raises(ValidationError) as bad:
            stats.period("custom", first_day="2026-05-10", last_day="2026-05-01")
        assert set(bad.value.message_dict) == {"to"}
        with pytest.raises(ValidationError) as bad:
            stats.period("custom", first_day="yesterday", last_day="")
        assert set(bad.value.message_dict) == {"from", "to"}


def test_every_figure_equals_the_hand_computed_one(tenants, in_tenant, wo):
    with in_tenant(tenants.a):
        made = history.build(wo)
        orders = WorkOrder.objects.all()

        summary = stats.summary(orders, MAY)
        assert (summary["total"], summary["open"], summary["completed"], summary["rejected"]) == (6, 2, 3, 1)
        # Responses 10, 30, 60, 90 min: median 45, p90 = 60 + 0.7 × 30 = 81.
        assert summary["response"] == {"count": 4, "median": 45.0, "p90": 81.0}
        # Resolutions 120, 240, 600 min: median 240, p90 = 240 + 0.8 × 360 = 528.
        assert summary["resolution"] == {"count": 3, "median": 240.0, "p90": 528.0}
        assert summary["sla"]["response"] == {"met": 3, "decided": 4, "rate": 75.0}
        assert summary["sla"]["resolution"] == {"met": 2, "decided": 3, "rate": 66.7}
        assert summary["rating"] == {"count": 3, "average": 3.67}

        volume = stats.volume(orders, MAY)
        weeks = [(b["start"], b["count"]) for b in volume["buckets"]]
        assert weeks == [
            (dt.date(2026, 4, 27), 0),  # o7 is in April: outside the period
            (dt.date(2026, 5, 4), 2),  # o1, o2 (Sunday the 10th)
            (dt.date(2026, 5, 11), 1),
            (dt.date(2026, 5, 18), 2),
            (dt.date(2026, 5, 25), 1),
        ]
        # Least squares over (0,0) (1,2) (2,1) (3,2) (4,1): slope 0.2, intercept 0.8.
        assert volume["slope"] == 0.2
        assert [b["trend"] for b in volume["buckets"]] == [0.8, 1.0, 1.2, 1.4, 1.6]
        first_week = parse_qs(urlsplit(volume["buckets"][0]["url"]).query)
        assert first_week["submitted_at_from"] == ["2026-05-01"] and first_week["submitted_at_to"] == [
            "2026-05-03"
        ]

        by_trade = {r["id"]: r for r in stats.breakdown(orders, MAY, "trade")}
        assert {k: r["count"] for k, r in by_trade.items()} == {wo["water"].pk: 4, wo["carpentry"].pk: 2}
        assert by_trade[wo["carpentry"].pk]["response_rate"] == 50.0  # o3 late, o4 in time
        assert by_trade[wo["water"].pk]["response_rate"] == 100.0
        by_building = {r["id"]: r["count"] for r in stats.breakdown(orders, MAY, "building")}
        assert by_building == {wo["east"].pk: 3, wo["lobby"].floor.building_id: 3}
        by_department = {r["id"]: r["count"] for r in stats.breakdown(orders, MAY, "department")}
        assert by_department == {made["icu"].pk: 2, made["med"].pk: 2, made["adm"].pk: 2}

        league = {r["id"]: r for r in stats.league(orders, MAY)}
        chen, liu = league[wo["chen"].pk], league[wo["liu"].pk]
        assert (chen["count"], chen["completed"], chen["median_minutes"]) == (2, 2, 180.0)
        assert (chen["average_rating"], chen["success_rate"]) == (4.5, 50.0)  # o2 was reopened
        assert (liu["count"], liu["completed"], liu["median_minutes"]) == (2, 1, 600.0)
        assert (liu["average_rating"], liu["success_rate"]) == (2.0, 100.0)
        assert list(league) == [wo["chen"].pk, wo["liu"].pk]  # most completed first

        desk = {r["id"]: r for r in stats.desk_workload(orders, MAY)}
        assert set(desk) == {wo["desk"].pk, wo["desk2"].pk}
        first = desk[wo["desk"].pk]
        assert (first["logged"], first["accepted"], first["dispatched"], first["total"]) == (1, 1, 2, 4)
        assert (desk[wo["desk2"].pk]["rejected"], desk[wo["desk2"].pk]["total"]) == (1, 1)

        repeats = [
            (r["room_id"], r["trade_id"], r["orders"], r["repeats"]) for r in stats.repeat_faults(orders, MAY)
        ]
        assert repeats == [
            (wo["ward"].pk, wo["water"].pk, 2, 2),  # o1 after April's o7, o2 after o1; o6 rejected
            (wo["lobby"].pk, wo["carpentry"].pk, 2, 1),  # o4 eight days after o3
        ]

        satisfaction = stats.satisfaction(orders, MAY)
        assert [s["count"] for s in satisfaction["scores"]] == [0, 1, 0, 1, 1]
        assert (satisfaction["average"], satisfaction["low_share"]) == (3.67, 33.3)

        everything = stats.page(orders, MAY)
        assert everything["summary"] == summary and everything["repeats"][0]["repeats"] == 2


def test_a_department_scoped_viewer_counts_only_their_subtree(tenants, in_tenant, wo, person):
    with in_tenant(tenants.a):
        made = history.build(wo)
        Role.objects.create(
            code="med-viewer",
            name="医务部查看",
            permissions=["console.access", "workorders.view"],
            data_scope=DataScope.SUBTREE,
        )
    viewer = person(tenants.a, "med-head", "med-viewer", department=made["med"])
    with in_tenant(tenants.a):
        orders = restrict(WorkOrder.objects.all(), viewer, "view")
        assert stats.is_restricted(orders)
        # MED and ICU below it: o1, o2 (ICU), o3, o6 (MED); not ADM's o4, o5.
        summary = stats.summary(orders, MAY)
        assert (summary["total"], summary["rejected"]) == (4, 1)
        assert summary["response"]["median"] == 60.0  # 30, 60, 90
        by_department = {r["id"]: r["count"] for r in stats.breakdown(orders, MAY, "department")}
        assert by_department == {made["icu"].pk: 2, made["med"].pk: 2}
        desk = {r["id"]: r for r in stats.desk_workload(orders, MAY)}
        # ADM's o4 (dispatched) and o5 (logged) are not theirs to count.
        assert (desk[wo["desk"].pk]["logged"], desk[wo["desk"].pk]["dispatched"]) == (0, 1)
        assert [r["name"] for r in stats.league(orders, MAY)] == ["chen", "liu"]
        assert {r["id"]: r["count"] for r in stats.league(orders, MAY)}[wo["liu"].pk] == 1  # o3 only
        assert [(r["room_id"], r["repeats"]) for r in stats.repeat_faults(orders, MAY)] == [
            (wo["ward"].pk, 2)
        ]
        statement = stats.chargeback(orders, dt.date(2026, 5, 1))
        assert [o["number"] for g in statement["departments"] for o in g["orders"]] == ["WOTO1", "WOTO2"]


def test_another_tenant_counts_nothing_of_this_one(tenants, in_tenant, wo, tenant_admin):
    with in_tenant(tenants.a):
        history.build(wo)
        assert stats.summary(WorkOrder.objects.all(), MAY)["total"] == 6
    admin_b = tenant_admin(tenants.b)
    with in_tenant(tenants.b):
        page = stats.page(restrict(WorkOrder.objects.all(), admin_b, "view"), MAY)
        assert page["summary"]["total"] == 0 and page["league"] == [] and page["desk"] == []
        assert sum(b["count"] for b in page["volume"]["buckets"]) == 0


def test_a_viewer_whose_scope_matches_nothing_sees_zeros(tenants, in_tenant, wo, person):
    from identity.models import User

    with in_tenant(tenants.a):
        history.build(wo)
        Role.objects.create(
            code="own-dept-viewer",
            name="本科室",
            permissions=["workorders.view"],
            data_scope=DataScope.DEPARTMENT,
        )
    viewer = person(tenants.a, "no-dept", "own-dept-viewer")
    with in_tenant(tenants.a):
        User.objects.filter(pk=viewer.pk).update(department=None)
        viewer = User.objects.get(pk=viewer.pk)
        page = stats.page(restrict(WorkOrder.objects.all(), viewer, "view"), MAY)
    assert page["summary"]["total"] == 0 and page["summary"]["response"]["median"] is None
    assert page["by_trade"] == [] and page["repeats"] == [] and page["desk"] == []
    assert [b["count"] for b in page["volume"]["buckets"]] == [0, 0, 0, 0, 0]
