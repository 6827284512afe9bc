"""Two desk officers dispatch the same order at the same moment: one wins, the other is told.

Real threads, real transactions (`committed_db`). The rows made here are removed afterwards:
committed_db empties the spaces tables (and with them, by cascade, the orders, their
timeline and the dispatch rules); the people, the team, the work-order set-up that switching
the module on installed and the grants it gave the default roles are undone here (identity
tables are not emptied between tests).
"""

from __future__ import annotations

import contextlib
import threading

import pytest
from django.contrib.sessions.models import Session
from django.db import connection

from identity.models import Role, User
from kernel.context import tenant_schema
from modules.spaces import actions as spaces
from modules.workorders import actions
from modules.workorders.models import Settings, SlaRule, Team, Trade, WorkOrder
from tenants.actions import set_module_enabled
from tests.api.helpers import gid


@contextlib.contextmanager
def switched_on(tenant):
    """The module on for `tenant`, with committed data; afterwards what switching it on installed
    (trades, SLA rules, settings, the default roles' grants) and what the test made (orders,
    teams, items, sessions) is removed. committed_db empties the spaces tables, the outbox and
    the notifications, and resets the module switches."""
    from modules.inventory.models import Item

    with tenant_schema(tenant.schema_name):
        permissions = dict(Role.objects.values_list("code", "permissions"))
        had = {
            model: set(model.objects.values_list("pk", flat=True))
            for model in (Trade, SlaRule, Settings, Team, Item)
        }
    for key in ("inventory", "workorders"):
        set_module_enabled(tenant, key, True, actor="tests")
    try:
        yield
    finally:
        with tenant_schema(tenant.schema_name):
            WorkOrder.objects.all().delete()  # committed orders exist only while such a test runs
            for model in (Team, Trade, SlaRule, Settings, Item):
                model.objects.exclude(pk__in=had[model]).delete()
            for code, codes in permissions.items():
                Role.objects.filter(code=code).update(permissions=codes)
            Session.objects.all().delete()


@pytest.fixture
def race(tenants, in_tenant, person, committed_db):
    """Tenant A with the module on, a board order (carpentry: no dispatch rule), two desk
    officers and two workers of one team; all of it undone afterwards."""
    with switched_on(tenants.a):
        made = {
            "desks": [person(tenants.a, f"race-desk{i}", "dispatcher") for i in range(2)],
            "workers": [person(tenants.a, f"race-worker{i}", "worker") for i in range(2)],
            "reporter": person(tenants.a, "race-nurse", "end_user"),
        }
        try:
            with in_tenant(tenants.a):
                campus = spaces.create_campus(code="RACE", name="并发院区")
                building = spaces.create_building(campus=campus, code="R", name="并发楼")
                floor = spaces.create_floor(building=building, level=1, code="1F", name="一层")
                room = spaces.create_room(floor=floor, code="R101", name="101")
                team = Team.objects.create(code="race", name="并发班")
                team.members.set(made["workers"])
                made["order"] = actions.submit(
                    user=made["reporter"],
                    trade=Trade.objects.get(code="carpentry"),
                    room=room,
                    description="门坏了",
                )
                assert made["order"].status == WorkOrder.Status.SUBMITTED
            yield made
        finally:
            with in_tenant(tenants.a):
                WorkOrder.objects.all().delete()
                User.objects.filter(username__startswith="race-").delete()


def at_once(work, people) -> dict:
    """Run `work(person)` in one thread per person, released together; {person pk: outcome}."""
    barrier = threading.Barrier(len(people))
    results = {}

    def run(who):
        try:
            with tenant_schema("ta"):
                barrier.wait()
                results[who.pk] = work(who)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(who,)) for who in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_two_desk_officers_dispatch_the_same_order_at_once(tenants, in_tenant, race):
    order, desks, workers = race["order"], race["desks"], race["workers"]
    worker_of = {desk.pk: worker for desk, worker in zip(desks, workers, strict=True)}

    def dispatch(desk):
        try:
            actions.dispatch(WorkOrder(pk=order.pk), actor=desk, worker=worker_of[desk.pk])
        except actions.WorkOrderError as exc:
            return exc.code
        return "done"

    results = at_once(dispatch, desks)
    assert sorted(results.values()) == ["done", "wrong_state"]
    (winner,) = [pk for pk, outcome in results.items() if outcome == "done"]
    with in_tenant(tenants.a):
        stored = WorkOrder.objects.get(pk=order.pk)
        assert stored.status == WorkOrder.Status.DISPATCHED
        assert stored.assignee_id == worker_of[winner].pk
        dispatched = stored.events.filter(kind="dispatched")
        assert dispatched.count() == 1 and dispatched.get().actor_id == winner


def test_the_same_race_through_the_api_answers_wrong_state(tenants, in_tenant, race, api):
    order, desks, workers = race["order"], race["desks"], race["workers"]
    callers = {desk.pk: api(tenants.a, user=desk) for desk in desks}
    worker_of = {desk.pk: worker for desk, worker in zip(desks, workers, strict=True)}
    mutation = (
        "mutation($input: DispatchWorkOrderInput!) { dispatchWorkOrder(input: $input) "
        "{ result { assignee { name } } errors { code } } }"
    )

    def dispatch(desk):
        body = callers[desk.pk](
            mutation,
            {"input": {"id": gid("WorkOrder", order.pk), "worker": gid("User", worker_of[desk.pk].pk)}},
        )
        assert "errors" not in body, body
        payload = body["data"]["dispatchWorkOrder"]
        return payload["errors"][0]["code"] if payload["errors"] else payload["result"]["assignee"]["name"]

    results = at_once(dispatch, desks)
    (winner,) = [pk for pk, outcome in results.items() if outcome != "WRONG_STATE"]
    assert sorted(results.values()) == sorted([worker_of[winner].username, "WRONG_STATE"])
    with in_tenant(tenants.a):
        stored = WorkOrder.objects.get(pk=order.pk)
        assert stored.assignee_id == worker_of[winner].pk
        assert stored.events.filter(kind="dispatched").count() == 1
