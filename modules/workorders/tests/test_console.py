"""The console's work-order pages through HTTP: the dispatch board (accept, dispatch, reject,
two officers on one order — in turn and at the same moment), logging a call, the order page
and the desk's follow-up, settings, the SLA "what if", statistics, the order list's drill-down
filters; who may open them, and that tenant B never reaches tenant A's orders."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from kernel.context import tenant_schema
from modules.workorders import actions
from modules.workorders.models import Complaint, Rectification, Revisit, Settings, WorkOrder
from modules.workorders.tests import history

Status = WorkOrder.Status
BOARD = "/console/workorders/desk/"


def _handled(message: str) -> bool:
    """The "someone else was quicker" message, in either language of the console."""
    return "already handled by someone else" in message or "已被他人处理" in message


def report(wo, trade="carpentry", room="ward", **more):
    """A report no dispatch rule takes (carpentry): it waits on the board."""
    return actions.submit(
        user=more.pop("user", wo["nurse"]), trade=wo[trade], room=wo[room], description="门锁坏了", **more
    )


@pytest.fixture
def console(client_for):
    """A console client in English (the tenant's own language is Chinese)."""
    return lambda tenant, user=None: client_for(tenant, user, HTTP_ACCEPT_LANGUAGE="en")


def refused(response) -> bool:
    """Wagtail answers a console user without the permission by going back to the console's
    home with a message; someone without the console at all gets 403."""
    return response.status_code == 403 or (
        response.status_code == 302 and response["Location"] == "/console/"
    )


def page_of(pk, suffix=""):
    return f"/console/workorders/desk/orders/{pk}/{suffix}"


@pytest.mark.django_db
def test_the_board_lists_only_orders_waiting_for_the_desk(tenants, in_tenant, wo, console):
    with in_tenant(tenants.a):
        waiting = report(wo)
        accepted = actions.accept(report(wo), actor=wo["desk"])
        routed = report(wo, trade="water")  # 区域包干: straight to chen
        rejected = actions.reject(report(wo), actor=wo["desk"], reason="不归我们管")
    response = console(tenants.a, wo["desk"]).get(BOARD)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-number="{waiting.number}"' in html and f'data-number="{accepted.number}"' in html
    assert routed.number not in html and rejected.number not in html
    assert response.context["count"] == 2
    # Oldest first; each row says when the desk must respond and who may be sent.
    rows = response.context["rows"]
    assert [r["order"].pk for r in rows] == [waiting.pk, accepted.pk]
    assert rows[0]["response"]["state"] in ("ok", "soon") and rows[0]["response"]["minutes"] > 0
    # Carpentry has no team: nobody is suggested, every team member is offered with their load.
    offered = {w["id"]: w["load"] for w in rows[0]["choices"]["others"]}
    assert offered[wo["chen"].pk] == 1  # the water order routed to chen


@pytest.mark.django_db
def test_suggestions_are_the_trades_teams_with_their_workload(tenants, in_tenant, wo, console):
    with in_tenant(tenants.a):
        water = report(wo, trade="water", room="lobby")  # team queue (no worker)
        actions.take(water, actor=wo["liu"])
        wo["team"].trades.add(wo["carpentry"])
        report(wo)
    response = console(tenants.a, wo["desk"]).get(BOARD)
    choices = response.context["rows"][0]["choices"]
    suggested = [(w["id"], w["load"]) for w in choices["suggested"]]
    # Fewest open jobs first: boss (0), chen (0), then liu (1).
    assert suggested[-1] == (wo["liu"].pk, 1)
    assert {pk for pk, _n in suggested} == {wo["chen"].pk, wo["liu"].pk, wo["boss"].pk}
    assert choices["others"] == []
    assert wo["team"] in choices["teams"]


@pytest.mark.django_db
def test_accept_dispatch_and_reject_through_the_board(tenants, in_tenant, wo, console):
    with in_tenant(tenants.a):
        first, second = report(wo), report(wo)
    desk = console(tenants.a, wo["desk"])
    response = desk.post(BOARD, {"order": first.pk, "do": "accept"})
    assert response.status_code == 302 and response["Location"] == BOARD
    response = desk.post(
        BOARD, {"order": first.pk, "do": "dispatch", "worker": wo["liu"].pk, "note": "带上工具"}
    )
    assert response.status_code == 302
    # Bad input: a reason is needed; nothing changes and the row says what is missing.
    response = desk.post(BOARD, {"order": second.pk, "do": "reject", "reason": "  "})
    assert response.status_code == 200
    row = next(r for r in response.context["rows"] if r["order"].pk == second.pk)
    assert list(row["errors"]) == ["reason"]
    assert row["errors"]["reason"][0] in response.content.decode()  # shown in the row
    response = desk.post(BOARD, {"order": second.pk, "do": "dispatch"})
    row = next(r for r in response.context["rows"] if r["order"].pk == second.pk)
    assert list(row["errors"]) == ["worker"]
    response = desk.post(BOARD, {"order": second.pk, "do": "reject", "reason": "属于物业公司"})
    assert response.status_code == 302
    with in_tenant(tenants.a):
        first.refresh_from_db()
        second.refresh_from_db()
    assert (first.status, first.assignee_id, first.team_id) == (
        Status.DISPATCHED,
        wo["liu"].pk,
        wo["team"].pk,
    )
    assert first.events.filter(kind="dispatched", actor=wo["desk"], note="带上工具").exists()
    assert (second.status, second.reject_reason) == (Status.REJECTED, "属于物业公司")
    # To a team's queue instead of a person.
    with in_tenant(tenants.a):
        third = report(wo)
    assert desk.post(BOARD, {"order": third.pk, "do": "dispatch", "team": wo["team"].pk}).status_code == 302
    with in_tenant(tenants.a):
        third.refresh_from_db()
    assert (third.status, third.assignee_id, third.team_id) == (Status.DISPATCHED, None, wo["team"].pk)


@pytest.mark.django_db
def test_the_second_of_two_officers_is_told_and_the_first_worker_stays(tenants, in_tenant, wo, console):
    with in_tenant(tenants.a):
        order = report(wo)
    first = console(tenants.a, wo["desk"])
    second = console(tenants.a, wo["desk2"])
    # Both opened the board while the order was waiting.
    assert order.number in first.get(BOARD).content.decode()
    assert order.number in second.get(BOARD).content.decode()
    assert (
        first.post(BOARD, {"order": order.pk, "do": "dispatch", "worker": wo["chen"].pk}).status_code == 302
    )
    response = second.post(BOARD, {"order": order.pk, "do": "dispatch", "worker": wo["liu"].pk}, follow=True)
    assert response.status_code == 200
    said = [str(m) for m in response.context["messages"]]
    assert any(_handled(m) and order.number in m and "chen" in m for m in said), said
    with in_tenant(tenants.a):
        order.refresh_from_db()
        assert order.assignee_id == wo["chen"].pk
        assert order.events.filter(kind="dispatched").count() == 1
    # A reject or accept after the dispatch is refused the same way.
    response = second.post(BOARD, {"order": order.pk, "do": "reject", "reason": "重复"})
    assert any(_handled(str(m)) for m in response.context["messages"])
    with in_tenant(tenants.a):
        order.refresh_from_db()
    assert order.status == Status.DISPATCHED


def test_two_officers_dispatching_at_the_same_moment(committed_db, tenants, in_tenant, wo, console):
    """Real threads and transactions: both requests reach the action together; the row lock
    lets one through and the other is told."""
    from identity.models import User
    from modules.workorders.models import Team

    try:
        with in_tenant(tenants.a):
            order = report(wo)
        officers = {wo["desk"].pk: wo["chen"].pk, wo["desk2"].pk: wo["liu"].pk}
        clients = {
            pk: console(tenants.a, user)
            for pk, user in ((wo["desk"].pk, wo["desk"]), (wo["desk2"].pk, wo["desk2"]))
        }
        barrier = threading.Barrier(2)
        results = {}

        def act(officer):
            try:
                barrier.wait()
                response = clients[officer].post(
                    BOARD, {"order": order.pk, "do": "dispatch", "worker": officers[officer]}
                )
                results[officer] = (
                    "done"
                    if response.status_code == 302
                    else " ".join(str(m) for m in response.context["messages"])
                )
            finally:
                connection.close()

        threads = [threading.Thread(target=act, args=(officer,)) for officer in officers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        outcomes = list(results.values())
        assert outcomes.count("done") == 1, results
        assert any(_handled(outcome) for outcome in outcomes), results
        winner = next(officer for officer, outcome in results.items() if outcome == "done")
        with tenant_schema("ta"):
            order.refresh_from_db()
            assert order.assignee_id == officers[winner]
            assert order.events.filter(kind="dispatched").count() == 1
    finally:
        with tenant_schema("ta"):
            WorkOrder.objects.all().delete()
            Team.objects.filter(code="wet").delete()
            User.objects.filter(
                username__in=["desk", "desk2", "chen", "liu", "boss", "nurse", "other"]
            ).delete()


@pytest.mark.django_db
def test_logging_a_call_checks_every_field_and_writes_nothing_when_wrong(tenants, in_tenant, wo, console):
    desk = console(tenants.a, wo["desk"])
    with in_tenant(tenants.a):
        before = WorkOrder.objects.count()
    form = desk.get(BOARD + "call/")
    assert form.status_code == 200 and 'name="room"' in form.content.decode()
    response = desk.post(
        BOARD + "call/",
        {
            "channel": "phone",
            "contact_name": " ",
            "trade": "",
            "room": "999999",
            "priority": "asap",
            "description": "",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"contact_name", "trade", "room", "priority", "description"}
    assert "Who called? Give the caller's name." in errors["contact_name"]
    assert "Choose where the fault is." in errors["room"]
    response = desk.post(
        BOARD + "call/",
        {
            "channel": "walk_in",
            "contact_name": "孙女士",
            "trade": wo["carpentry"].pk,
            "room": wo["lobby"].pk,
            "priority": "high",
            "description": "柜门掉了",
            "received_at": "2099-01-01T10:00",
        },
    )
    assert set(response.context["form"].errors) == {"received_at"}
    with in_tenant(tenants.a):
        assert WorkOrder.objects.count() == before
    response = desk.post(
        BOARD + "call/",
        {
            "channel": "phone",
            "contact_name": "孙女士",
            "contact_phone": "13800000000",
            "trade": wo["carpentry"].pk,
            "room": wo["lobby"].pk,
            "priority": "high",
            "description": "柜门掉了",
            "received_at": "2026-01-05T08:30",
        },
    )
    assert response.status_code == 302
    with in_tenant(tenants.a):
        order = WorkOrder.objects.get(contact_name="孙女士")
    assert response["Location"] == page_of(order.pk)
    assert (order.channel, order.desk_officer_id, order.reporter_id, order.status) == (
        "phone",
        wo["desk"].pk,
        None,
        Status.SUBMITTED,
    )
    assert order.received_at.isoformat().startswith("2026-01-05T00:30")  # 08:30 in Shanghai


@pytest.mark.django_db
def test_the_order_page_and_the_desks_follow_up(tenants, in_tenant, wo, console):
    from modules.inventory.models import Item

    with in_tenant(tenants.a):
        tap = Item.objects.create(code="T1", name="水龙头", unit_cost=Decimal("45.50"))
        order = report(wo, trade="water")  # chen's
        actions.add_material(order, actor=wo["chen"], item=tap, quantity="2")
    desk = console(tenants.a, wo["desk"])
    response = desk.get(page_of(order.pk))
    html = response.content.decode()
    assert response.status_code == 200 and order.number in html and "水龙头" in html
    assert response.context["can_reassign"] and not response.context["can_close"]
    assert [e["kind"] for e in response.context["timeline"]] == ["submitted", "dispatched", "material"]
    # Reassign: bad input stays on the page with the field's message.
    response = desk.post(page_of(order.pk), {"do": "reassign", "worker": "999999"})
    assert response.status_code == 200 and list(response.context["errors"]["reassign"]) == ["worker"]
    assert desk.post(page_of(order.pk), {"do": "reassign", "worker": wo["liu"].pk}).status_code == 302
    with in_tenant(tenants.a):
        order.refresh_from_db()
        assert order.assignee_id == wo["liu"].pk
        actions.start(order, actor=wo["liu"])
        actions.complete(order, actor=wo["liu"], notes="换了水龙头", labour_minutes=30)
        actions.verify(order, actor=wo["nurse"], rating=1, comment="态度差")
        rectification = Rectification.objects.get(order=order)
    response = desk.post(page_of(order.pk), {"do": "revisit", "outcome": "happy"})
    assert list(response.context["errors"]["revisit"]) == ["outcome"]
    assert (
        desk.post(
            page_of(order.pk), {"do": "revisit", "outcome": "dissatisfied", "note": "已道歉"}
        ).status_code
        == 302
    )
    response = desk.post(page_of(order.pk), {"do": "complain", "text": ""})
    assert list(response.context["errors"]["complain"]) == ["text"]
    assert desk.post(page_of(order.pk), {"do": "complain", "text": "维修工态度差"}).status_code == 302
    response = desk.post(
        page_of(order.pk), {"do": "resolve", "rectification": rectification.pk, "resolution": ""}
    )
    assert list(response.context["errors"]["resolve"]) == ["resolution"]
    assert (
        desk.post(
            page_of(order.pk), {"do": "resolve", "rectification": rectification.pk, "resolution": "已约谈"}
        ).status_code
        == 302
    )
    assert desk.post(page_of(order.pk), {"do": "close"}).status_code == 302
    with in_tenant(tenants.a):
        order.refresh_from_db()
        assert order.status == Status.CLOSED
        assert Revisit.objects.get(order=order).outcome == "dissatisfied"
        assert Complaint.objects.get(order=order).text == "维修工态度差"
        assert Rectification.objects.get(order=order).resolution == "已约谈"
    html = desk.get(page_of(order.pk)).content.decode()
    assert "已约谈" in html and "维修工态度差" in html and "已道歉" in html
    # Closed: closing again is refused plainly.
    response = desk.post(page_of(order.pk), {"do": "close"}, follow=True)
    assert any(_handled(str(m)) for m in response.context["messages"])


@pytest.mark.django_db
def test_the_order_list_links_each_row_and_filters_like_the_charts(tenants, in_tenant, wo, console):
    with in_tenant(tenants.a):
        made = history.build(wo)
    admin = console(tenants.a, wo["desk"])
    listing = admin.get(
        reverse("workorders_order:index") + "?submitted_at_from=2026-05-01&submitted_at_to=2026-05-31"
    )
    html = listing.content.decode()
    assert page_of(made["o1"].pk) in html and "WOTO7" not in html  # April's is outside
    assert BOARD + "call/" in html  # "Add" is the desk logging a call
    cases = {
        f"trade={wo['carpentry'].pk}": {"WOTO3", "WOTO4"},
        f"department={made['icu'].pk}": {"WOTO1", "WOTO2"},
        f"assignee={wo['chen'].pk}": {"WOTO1", "WOTO2"},
        f"room={wo['lobby'].pk}&trade={wo['carpentry'].pk}": {"WOTO3", "WOTO4"},
        "rating=2": {"WOTO3"},
        f"desk_officer={wo['desk'].pk}": {"WOTO5"},
        "response_breached=true": {"WOTO3"},
    }
    for query, expected in cases.items():
        response = admin.get(
            reverse("workorders_order:index")
            + f"?submitted_at_from=2026-05-01&submitted_at_to=2026-05-31&{query}"
        )
        shown = {o.number for o in response.context["object_list"]}
        assert shown == expected, query


@pytest.mark.django_db
def test_settings_are_checked_per_field_and_saved_through_the_action(
    tenants, in_tenant, wo, console, tenant_admin
):
    admin = console(tenants.a, tenant_admin(tenants.a))
    url = BOARD + "settings/"
    assert admin.get(url).status_code == 200
    response = admin.post(
        url, {"auto_accept_days": "0", "reopen_days": "x", "escalate_after_minutes": "", "hourly_rate": "-5"}
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {
        "auto_accept_days",
        "reopen_days",
        "escalate_after_minutes",
        "hourly_rate",
    }
    with in_tenant(tenants.a):
        assert Settings.current().auto_accept_days == 3
    response = admin.post(
        url,
        {
            "auto_accept_days": "5",
            "reopen_days": "10",
            "escalate_after_minutes": "90",
            "hourly_rate": "75.50",
            "default_chargeable": "",
        },
    )
    assert response.status_code == 302
    with in_tenant(tenants.a):
        saved = Settings.current()
    assert (saved.auto_accept_days, saved.reopen_days, saved.escalate_after_minutes) == (5, 10, 90)
    assert (saved.hourly_rate, saved.default_chargeable) == (Decimal("75.50"), False)
    # The desk runs the board but does not set the organisation up.
    assert refused(console(tenants.a, wo["desk"]).get(url))


@pytest.mark.django_db
def test_what_if_compares_actual_and_proposed_targets(tenants, in_tenant, wo, console, tenant_admin):
    with in_tenant(tenants.a):
        history.build(wo)
    admin = console(tenants.a, tenant_admin(tenants.a))
    url = BOARD + "what-if/"
    form = admin.get(url)
    assert form.status_code == 200 and form.context["result"] is None
    response = admin.get(
        url,
        {
            "response_minutes": "0",
            "resolution_minutes": "abc",
            "first_day": "2026-05-31",
            "last_day": "2026-05-01",
        },
    )
    assert set(response.context["form"].errors) == {"response_minutes", "resolution_minutes", "last_day"}
    response = admin.get(
        url,
        {
            "response_minutes": "100",
            "resolution_minutes": "700",
            "first_day": "2026-05-01",
            "last_day": "2026-05-31",
            "trade": wo["carpentry"].pk,
        },
    )
    result = response.context["result"]
    # o3 (90 / 600, late against 60 / 480) and o4 (10, still open): under 100 / 700 o3 is in time.
    assert result["orders"] == 2
    assert result["actual"]["response_met"] == 1 and result["proposed"]["response_met"] == 2
    assert response.context["chart"]["series"][1]["values"][0] == 100.0
    assert refused(console(tenants.a, wo["desk"]).get(url))


@pytest.mark.django_db
def test_the_statistics_page_shows_the_figures_and_drills_down(tenants, in_tenant, wo, console, time_machine):
    time_machine.move_to("2026-05-28 12:00:00+08:00", tick=False)
    with in_tenant(tenants.a):
        history.build(wo)
    response = console(tenants.a, wo["desk"]).get(BOARD + "statistics/")
    assert response.status_code == 200
    data = response.context["data"]
    assert data["summary"]["total"] == 6 and data["summary"]["response"]["median"] == 45.0
    html = response.content.decode()
    assert "echarts.min.js" in html and 'data-wo-chart="chart-volume"' in html
    chart = response.context["charts"]["chart-trade"]
    assert chart["values"] == [4, 2] and all(
        url.startswith("/console/workorders/orders/?") for url in chart["urls"]
    )
    custom = console(tenants.a, wo["desk"]).get(
        BOARD + "statistics/", {"period": "custom", "from": "2026-05-12", "to": "2026-05-12"}
    )
    assert custom.context["data"]["summary"]["total"] == 1
    bad = console(tenants.a, wo["desk"]).get(
        BOARD + "statistics/", {"period": "custom", "from": "x", "to": "2026-01-01"}
    )
    assert bad.status_code == 200 and set(bad.context["period_errors"]) == {"from"}


@pytest.mark.django_db
def test_an_end_user_or_a_worker_gets_no_console_page(tenants, in_tenant, wo, console):
    with in_tenant(tenants.a):
        order = report(wo)
    urls = [
        BOARD,
        BOARD + "call/",
        page_of(order.pk),
        page_of(order.pk, "sheet.pdf"),
        BOARD + "statistics/",
        BOARD + "chargeback/?format=xlsx",
        BOARD + "settings/",
        BOARD + "what-if/",
    ]
    for who in ("nurse", "chen"):
        client = console(tenants.a, wo[who])
        for url in urls:
            assert client.get(url).status_code == 403, (who, url)
        assert client.post(BOARD, {"order": order.pk, "do": "accept"}).status_code == 403
    with in_tenant(tenants.a):
        order.refresh_from_db()
    assert order.status == Status.SUBMITTED


@pytest.mark.django_db
def test_tenant_b_never_reaches_tenant_as_orders(tenants, in_tenant, wo, console, tenant_admin):
    with in_tenant(tenants.a):
        order = report(wo)
        history.build(wo)
    admin_b = console(tenants.b, tenant_admin(tenants.b))
    for url in (page_of(order.pk), page_of(order.pk, "sheet.pdf")):
        assert admin_b.get(url).status_code == 404, url
    assert (
        admin_b.post(BOARD, {"order": order.pk, "do": "dispatch", "worker": wo["chen"].pk}).status_code == 404
    )
    board = admin_b.get(BOARD)
    assert (
        board.status_code == 200
        and board.context["count"] == 0
        and order.number not in board.content.decode()
    )
    stats_page = admin_b.get(BOARD + "statistics/", {"period": "12m"})
    assert stats_page.context["data"]["summary"]["total"] == 0
    xlsx = admin_b.get(BOARD + "chargeback/", {"month": "2026-05", "format": "xlsx"})
    assert xlsx.status_code == 200 and b"WOTO1" not in xlsx.content
    listing = admin_b.get(reverse("workorders_order:index"))
    assert listing.status_code == 200 and order.number not in listing.content.decode()
    # B's administrator is nobody on A's domain.
    assert console(tenants.a).get(page_of(order.pk)).status_code == 302
    with in_tenant(tenants.a):
        order.refresh_from_db()
    assert order.status == Status.SUBMITTED


@pytest.mark.django_db
def test_the_pages_are_gone_when_the_module_is_off(tenants, in_tenant, wo, console, tenant_admin):
    from tenants.actions import set_module_enabled

    admin = console(tenants.a, tenant_admin(tenants.a))
    assert admin.get(BOARD).status_code == 200
    set_module_enabled(tenants.a, "workorders", False, actor="tests")
    for url in (BOARD, BOARD + "statistics/", BOARD + "settings/"):
        assert admin.get(url).status_code == 404


@pytest.mark.django_db
def test_the_board_reads_a_page_in_a_fixed_number_of_queries(tenants, in_tenant, wo, console):
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    with in_tenant(tenants.a):
        report(wo)
    desk = console(tenants.a, wo["desk"])
    desk.get(BOARD)
    with CaptureQueriesContext(db) as few:
        desk.get(BOARD)
    with in_tenant(tenants.a):
        for _ in range(5):
            report(wo, room="lobby", channel=WorkOrder.Channel.PHONE, user=wo["desk"], contact_name="孙女士")
    with CaptureQueriesContext(db) as many:
        assert desk.get(BOARD).context["count"] == 6
    assert len(many.captured_queries) == len(few.captured_queries)
