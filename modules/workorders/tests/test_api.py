"""Work orders through the GraphQL API: the whole life, every error code, field errors with
nothing written, who sees what (reporter, worker, team queue, role scope), custom fields and
pre-approval on submit, photos with signed links, lists without N+1, and isolation between
tenants."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from identity.models import DataScope, Role
from kernel.models import OutboxEvent
from lowcode.forms import actions as forms
from lowcode.forms.models import FormDefinition
from lowcode.forms.tests.test_pages import png_bytes
from lowcode.workflows import actions as workflows
from lowcode.workflows.models import Instance, WorkflowDefinition
from modules.inventory.models import Item
from modules.spaces import actions as spaces
from modules.spaces.models import Room
from modules.workorders import actions
from modules.workorders.models import Event, MaterialLine, Team, Trade, WorkOrder
from modules.workorders.selectors import EVENT_LABELS
from tenants.actions import set_module_enabled
from tests.api.helpers import far_ids, gid

Status = WorkOrder.Status

ORDER = """id number status channel priority roomId roomName buildingName location description
  trade { code } reporter { id name } assignee { id name } deskOfficer { name } team { code }
  customFields contactName totalCost materialCost labourCost rating breached
  materials { id itemCode quantity unitCost amount }
  timeline { kind label fromStatus toStatus actor { name } note }"""

SUBMIT = (
    "mutation($input: SubmitWorkOrderInput!) { submitWorkOrder(input: $input) { result { "
    + ORDER
    + " } errors { field code message } } }"
)
INPUTS = {
    "acceptWorkOrder": "WorkOrderInput",
    "dispatchWorkOrder": "DispatchWorkOrderInput",
    "reassignWorkOrder": "ReassignWorkOrderInput",
    "rejectWorkOrder": "WorkOrderReasonInput",
    "cancelWorkOrder": "WorkOrderReasonInput",
    "takeWorkOrder": "WorkOrderInput",
    "startWorkOrder": "WorkOrderInput",
    "addWorkOrderMaterial": "AddWorkOrderMaterialInput",
    "removeWorkOrderMaterial": "RemoveWorkOrderMaterialInput",
    "completeWorkOrder": "CompleteWorkOrderInput",
    "verifyWorkOrder": "VerifyWorkOrderInput",
    "reopenWorkOrder": "WorkOrderReasonInput",
    "closeWorkOrder": "WorkOrderInput",
    "revisitWorkOrder": "RevisitWorkOrderInput",
    "complainWorkOrder": "ComplainWorkOrderInput",
}
LIST = """query($filter: WorkOrderFilter, $sort: WorkOrderSort, $after: String) {
  workOrders(first: 50, filter: $filter, sort: $sort, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { id number status } } } }"""
NODE = "query($id: ID!) { node(id: $id) { id ... on WorkOrder { number status } } }"


def act(caller, mutation: str, **fields) -> dict:
    """Run one work-order mutation; its payload (top-level errors fail the test)."""
    body = caller(
        f"mutation($input: {INPUTS[mutation]}!) {{ {mutation}(input: $input) "
        f"{{ result {{ {ORDER} }} errors {{ field code message }} }} }}",
        {"input": fields},
    )
    assert "errors" not in body, body
    return body["data"][mutation]


def submit(caller, **fields) -> dict:
    body = caller(SUBMIT, {"input": fields})
    assert "errors" not in body, body
    return body["data"]["submitWorkOrder"]


def ok(payload: dict) -> dict:
    assert payload["errors"] == [], payload["errors"]
    return payload["result"]


def codes(payload: dict) -> list[tuple]:
    assert payload["result"] is None
    return sorted((error["field"], error["code"]) for error in payload["errors"])


def numbers(body: dict) -> set[str]:
    assert "errors" not in body, body
    return {edge["node"]["number"] for edge in body["data"]["workOrders"]["edges"]}


def top_codes(body: dict) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]


@pytest.fixture
def far(db, tenants):
    """(Through `db`, every test using `w` runs in a transaction rolled back afterwards; the
    guide's examples at the end run on committed data instead, for a live server to see.)

    Tenant A's work-order rows numbered from a million up (and its order numbers far
    from B's), so that an id or number of A's is no row of B's by chance."""
    far_ids(
        tenants.a,
        "spaces_room",
        "spaces_building",
        "workorders_workorder",
        "workorders_materialline",
        "workorders_team",
        "workorders_trade",
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval('ta.workorders_number_seq', GREATEST(500000, last_value)) FROM ta.workorders_number_seq"
        )


@pytest.fixture
def w(far, wo, tenants, in_tenant, api):
    """The `wo` people as API callers (sessions), with an item in the catalogue."""
    with in_tenant(tenants.a):
        item = Item.objects.create(code="T1", name="水龙头", name_en="Tap", unit_cost=Decimal("45.50"))
        valve = Item.objects.create(code="V1", name="阀芯", unit_cost=Decimal("12.00"))
    callers = {
        name: api(tenants.a, user=wo[name])
        for name in ("desk", "desk2", "chen", "liu", "boss", "nurse", "other")
    }
    return {**wo, "api": callers, "item": item, "valve": valve}


def ward(w) -> str:
    return gid("Room", w["ward"].pk)


def lobby(w) -> str:
    return gid("Room", w["lobby"].pk)


# --- The life of an order ------------------------------------------------------------------------


def test_the_whole_life_through_the_api(tenants, in_tenant, w):
    nurse, desk, chen = w["api"]["nurse"], w["api"]["desk"], w["api"]["chen"]
    # Carpentry has no dispatch rule: the order waits on the desk's board.
    order = ok(
        submit(
            nurse,
            trade="carpentry",
            room=ward(w),
            description="病房门关不上",
            priority="HIGH",
            preferredTime="下午",
            contactPhone="13800001111",
        )
    )
    assert (order["status"], order["channel"], order["priority"]) == ("SUBMITTED", "API", "HIGH")
    assert order["trade"]["code"] == "carpentry" and order["reporter"]["name"] == "nurse"
    assert order["roomId"] == ward(w) and order["roomName"] == "301 病房" and "东楼" in order["location"]
    assert order["number"].startswith("WO")
    oid = order["id"]
    assert ok(act(desk, "acceptWorkOrder", id=oid))["status"] == "ACCEPTED"
    dispatched = ok(act(desk, "dispatchWorkOrder", id=oid, worker=gid("User", w["chen"].pk), note="尽快"))
    assert (dispatched["status"], dispatched["assignee"]["name"], dispatched["team"]["code"]) == (
        "DISPATCHED",
        "chen",
        "wet",
    )
    assert ok(act(chen, "takeWorkOrder", id=oid))["status"] == "DISPATCHED"
    assert ok(act(chen, "startWorkOrder", id=oid))["status"] == "IN_PROGRESS"
    with_tap = ok(act(chen, "addWorkOrderMaterial", id=oid, item="T1", quantity="2"))
    with_valve = ok(act(chen, "addWorkOrderMaterial", id=oid, item="V1", quantity="1"))
    assert Decimal(with_valve["materialCost"]) == Decimal("103.00")
    valve_line = next(m for m in with_valve["materials"] if m["itemCode"] == "V1")
    removed = ok(act(chen, "removeWorkOrderMaterial", material=valve_line["id"]))
    assert [m["itemCode"] for m in removed["materials"]] == ["T1"]
    assert Decimal(removed["materialCost"]) == Decimal("91.00") == Decimal(with_tap["materialCost"])
    done = ok(act(chen, "completeWorkOrder", id=oid, notes="换了合页", labourMinutes=45))
    assert done["status"] == "COMPLETED"
    assert (Decimal(done["labourCost"]), Decimal(done["totalCost"])) == (Decimal("45.00"), Decimal("136.00"))
    verified = ok(act(nurse, "verifyWorkOrder", id=oid, rating=4, comment="挺好"))
    assert (verified["status"], verified["rating"]) == ("VERIFIED", 4)
    assert ok(act(desk, "revisitWorkOrder", id=oid, outcome="SATISFIED", note="满意"))["status"] == "VERIFIED"
    closed = ok(act(desk, "closeWorkOrder", id=oid))
    assert closed["status"] == "CLOSED"
    complained = ok(act(nurse, "complainWorkOrder", id=oid, text="师傅迟到了"))
    kinds = [entry["kind"] for entry in complained["timeline"]]
    assert kinds == [
        "submitted",
        "accepted",
        "dispatched",
        "taken",
        "started",
        "material",
        "material",
        "material_removed",
        "completed",
        "verified",
        "revisited",
        "closed",
        "complaint",
    ]
    dispatched_entry = complained["timeline"][2]
    assert (
        dispatched_entry["fromStatus"],
        dispatched_entry["toStatus"],
        dispatched_entry["actor"]["name"],
    ) == (
        "ACCEPTED",
        "DISPATCHED",
        "desk",
    )
    with translation.override("zh-hans"):  # the organisation's language
        assert dispatched_entry["label"] == str(EVENT_LABELS["dispatched"]) == "已派工"
    assert dispatched_entry["note"] == "尽快"
    with in_tenant(tenants.a):
        stored = WorkOrder.objects.get(number=order["number"])
        assert (stored.status, stored.channel, stored.rating) == (Status.CLOSED, "api", 4)
        assert stored.complaints.count() == 1 and stored.revisits.get().officer_id == w["desk"].pk


def test_reject_cancel_reopen_and_reassign(tenants, in_tenant, w):
    nurse, desk, chen = w["api"]["nurse"], w["api"]["desk"], w["api"]["chen"]
    rejected = ok(
        act(
            desk,
            "rejectWorkOrder",
            id=ok(submit(nurse, trade="carpentry", room=ward(w), description="换灯泡"))["id"],
            reason="不属于维修范围",
        )
    )
    assert rejected["status"] == "REJECTED"
    cancelled = ok(
        act(
            nurse,
            "cancelWorkOrder",
            id=ok(submit(nurse, trade="water", room=ward(w), description="漏水"))["id"],
            reason="自己修好了",
        )
    )
    assert cancelled["status"] == "CANCELLED"
    # Water in the east building goes to chen by itself (area ownership); the desk gives it to liu.
    order = ok(submit(nurse, trade="water", room=ward(w), description="水管漏水"))
    assert (order["status"], order["assignee"]["name"]) == ("DISPATCHED", "chen")
    moved = ok(act(desk, "reassignWorkOrder", id=order["id"], worker=gid("User", w["liu"].pk)))
    assert moved["assignee"]["name"] == "liu"
    liu = w["api"]["liu"]
    ok(act(liu, "startWorkOrder", id=order["id"]))
    ok(act(liu, "completeWorkOrder", id=order["id"], notes="修好", labourMinutes=20))
    reopened = ok(act(nurse, "reopenWorkOrder", id=order["id"], reason="还在漏"))
    assert reopened["status"] == "DISPATCHED" and reopened["assignee"]["name"] == "liu"
    mine = "{ workOrders(first: 5, filter: {assignedToMe: true, status: [DISPATCHED]}) { totalCount } }"
    assert liu(mine)["data"]["workOrders"]["totalCount"] == 1
    assert chen(mine)["data"]["workOrders"]["totalCount"] == 0


def test_the_desk_logs_a_call_and_a_partner_key_reports(tenants, in_tenant, w, api):
    desk, nurse = w["api"]["desk"], w["api"]["nurse"]
    call = ok(
        submit(
            desk,
            trade="carpentry",
            room=lobby(w),
            description="大厅椅子坏了",
            channel="PHONE",
            contactName="收费处 孙女士",
            contactPhone="6688",
            receivedAt="2026-11-20T08:30:00+00:00",
            reporter=gid("User", w["nurse"].pk),
        )
    )
    assert (call["channel"], call["deskOfficer"]["name"], call["reporter"]["name"]) == (
        "PHONE",
        "desk",
        "nurse",
    )
    with in_tenant(tenants.a):
        logged = WorkOrder.objects.get(number=call["number"])
        assert logged.received_at == dt.datetime(2026, 11, 20, 8, 30, tzinfo=dt.UTC)
    # The reporter follows it like their own.
    assert call["number"] in numbers(nurse(LIST, {"filter": {"reportedByMe": True}}))
    # Only the desk logs calls; the desk must say who called; only the desk names a reporter.
    assert codes(
        submit(nurse, trade="water", room=ward(w), description="x", channel="WALK_IN", contactName="我")
    ) == [(None, "PERMISSION_DENIED")]
    assert codes(submit(desk, trade="water", room=ward(w), description="x", channel="PHONE")) == [
        ("contactName", "REQUIRED")
    ]
    assert codes(
        submit(nurse, trade="water", room=ward(w), description="x", reporter=gid("User", w["other"].pk))
    ) == [("reporter", "INVALID")]
    # A partner's system with a dispatcher's key reports through the API: nobody is the reporter.
    key = api(tenants.a, role="dispatcher")
    partner = ok(
        submit(
            key, trade="carpentry", room=lobby(w), description="来自物联网网关：门禁故障", contactName="IoT"
        )
    )
    assert (partner["channel"], partner["reporter"], partner["contactName"]) == ("API", None, "IoT")
    desk_call = ok(
        submit(key, trade="carpentry", room=lobby(w), description="电话", channel="PHONE", contactName="王")
    )
    assert desk_call["deskOfficer"] is None
    accepted = ok(act(key, "acceptWorkOrder", id=partner["id"]))
    assert accepted["timeline"][-1]["actor"] is None  # a key is nobody
    # A worker's key is nobody: it sees no order (it neither reported nor works on any).
    worker_key = api(tenants.a, role="worker")
    assert worker_key(NODE, {"id": partner["id"]})["data"]["node"] is None


# --- Field errors and nothing written --------------------------------------------------------------


def _counts(tenants, in_tenant):
    with in_tenant(tenants.a):
        return (
            WorkOrder.objects.count(),
            Event.objects.count(),
            OutboxEvent.objects.count(),
            Instance.objects.count(),
        )


def test_bad_input_gets_field_errors_and_writes_nothing(tenants, in_tenant, w):
    nurse = w["api"]["nurse"]
    before = _counts(tenants, in_tenant)
    assert codes(submit(nurse, trade="water", description="漏水")) == [("room", "REQUIRED")]
    assert codes(submit(nurse, trade="welding", room=ward(w), description="漏水")) == [("trade", "INVALID")]
    assert codes(submit(nurse, room=ward(w), description="漏水")) == [("trade", "REQUIRED")]
    assert codes(submit(nurse, tradeId="bm9wZQ==", room=ward(w), description="漏水")) == [
        ("trade", "INVALID")
    ]
    assert codes(submit(nurse, trade="water", room=gid("Building", w["east"].pk), description="漏水")) == [
        ("room", "INVALID")
    ]
    assert codes(submit(nurse, trade="water", room="!!!", description=" ")) == [
        ("description", "REQUIRED"),
        ("room", "INVALID"),
    ]
    assert codes(submit(nurse, trade="water", room=ward(w), description="x" * 2001)) == [
        ("description", "INVALID")
    ]
    assert codes(submit(nurse, trade="water", room=ward(w), description="漏水", customFields=[1, 2])) == [
        ("customFields", "INVALID")
    ]
    with in_tenant(tenants.a):
        Trade.objects.filter(code="hvac").update(is_active=False)
        Room.objects.filter(pk=w["lobby"].pk).update(is_active=False)
    assert codes(submit(nurse, trade="hvac", room=lobby(w), description="空调不冷")) == [
        ("room", "INVALID"),
        ("trade", "INVALID"),
    ]
    # A priority that is not one of the enum's is refused by the schema before anything runs.
    response = nurse.post(
        SUBMIT, {"input": {"trade": "water", "room": ward(w), "description": "漏水", "priority": "ASAP"}}
    )
    body = response.json()
    assert response.status_code == 400
    assert top_codes(body) == ["INVALID_QUERY"] and "input.priority" in body["errors"][0]["message"]
    assert body.get("data") is None
    assert _counts(tenants, in_tenant) == before


def test_custom_fields_and_pre_approval_on_submit(tenants, in_tenant, w):
    nurse = w["api"]["nurse"]
    with in_tenant(tenants.a):
        form = forms.save_form(
            FormDefinition(
                code="wo-carpentry",
                name="木工报修",
                kind=FormDefinition.Kind.EXTENSION,
                target="workorders.trade.carpentry",
            )
        )
        problems = forms.save_draft(
            form,
            {
                "sections": [
                    {
                        "key": "main",
                        "fields": [
                            {
                                "key": "door_kind",
                                "type": "choice",
                                "label": {"zh": "门类型", "en": "Door"},
                                "required": True,
                                "options": [
                                    {"value": "wood", "label": {"zh": "木门"}},
                                    {"value": "glass", "label": {"zh": "玻璃门"}},
                                ],
                            },
                            {"key": "count", "type": "number", "label": {"zh": "数量"}, "min": 1},
                        ],
                    }
                ]
            },
        )
        assert problems == []
        forms.publish(form)
        flow = WorkflowDefinition.objects.create(
            code="wo-pre",
            name="木工预审批",
            draft={
                "steps": [
                    {
                        "key": "boss",
                        "kind": "approval",
                        "mode": "one",
                        "approvers": [{"type": "user", "id": w["boss"].pk}],
                    }
                ]
            },
        )
        workflows.publish(flow)
        Trade.objects.filter(code="carpentry").update(approval_workflow=flow)
    trades = nurse("{ workOrderTrades(first: 20) { edges { node { code requiresApproval customFields } } } }")
    by_code = {edge["node"]["code"]: edge["node"] for edge in trades["data"]["workOrderTrades"]["edges"]}
    assert by_code["carpentry"]["requiresApproval"] and not by_code["water"]["requiresApproval"]
    schema = by_code["carpentry"]["customFields"]
    assert set(schema["properties"]) == {"door_kind", "count"} and schema["required"] == ["door_kind"]
    assert by_code["water"]["customFields"] == {}
    before = _counts(tenants, in_tenant)
    refused = submit(nurse, trade="carpentry", room=ward(w), description="门坏了", customFields={"count": 0})
    # Each custom field by its key; the forms engine's finer codes (min_value…) are INVALID here.
    assert codes(refused) == [("customFields.count", "INVALID"), ("customFields.door_kind", "REQUIRED")]
    assert "1" in next(e["message"] for e in refused["errors"] if e["field"] == "customFields.count")
    assert _counts(tenants, in_tenant) == before
    order = ok(
        submit(
            nurse,
            trade="carpentry",
            room=ward(w),
            description="门坏了",
            customFields={"door_kind": "glass", "count": 2},
        )
    )
    assert order["status"] == "PENDING_APPROVAL" and order["customFields"] == {
        "door_kind": "glass",
        "count": 2,
    }
    assert [entry["kind"] for entry in order["timeline"]] == ["submitted", "approval_started"]
    with in_tenant(tenants.a):
        stored = WorkOrder.objects.get(number=order["number"])
        instance = Instance.objects.get(subject_type="workorders.order", subject_id=stored.pk)
        assert (instance.status, instance.requester_id) == ("running", w["nurse"].pk)
    # The desk cannot dispatch it before the approval.
    assert codes(
        act(w["api"]["desk"], "dispatchWorkOrder", id=order["id"], worker=gid("User", w["chen"].pk))
    ) == [(None, "WRONG_STATE")]


# --- Every error code ------------------------------------------------------------------------------


def test_every_error_code(tenants, in_tenant, w):
    nurse, desk, chen, other = (w["api"][name] for name in ("nurse", "desk", "chen", "other"))
    order = ok(submit(nurse, trade="water", room=ward(w), description="漏水"))  # chen's
    oid = order["id"]
    # NOT_FOUND: malformed, of another type, nobody's, or not the caller's to see.
    for bad in ("!!!", "", gid("Room", w["ward"].pk), gid("WorkOrder", 999999999), gid("WorkOrder", "x")):
        assert codes(act(desk, "acceptWorkOrder", id=bad)) == [("id", "NOT_FOUND")]
    assert codes(act(other, "cancelWorkOrder", id=oid)) == [("id", "NOT_FOUND")]
    assert codes(
        act(w["api"]["chen"], "removeWorkOrderMaterial", material=gid("WorkOrderMaterial", 999999999))
    ) == [("material", "NOT_FOUND")]
    # PERMISSION_DENIED: seen, but not the caller's to do.
    assert codes(act(nurse, "acceptWorkOrder", id=oid)) == [(None, "PERMISSION_DENIED")]
    assert codes(act(nurse, "startWorkOrder", id=oid)) == [(None, "PERMISSION_DENIED")]
    # WRONG_STATE: already dispatched by its rule.
    assert codes(act(desk, "dispatchWorkOrder", id=oid, worker=gid("User", w["liu"].pk))) == [
        (None, "WRONG_STATE")
    ]
    assert codes(act(desk, "closeWorkOrder", id=oid)) == [(None, "WRONG_STATE")]
    # INVALID / REQUIRED, with the field.
    board = ok(submit(nurse, trade="carpentry", room=ward(w), description="门"))["id"]
    assert codes(act(desk, "rejectWorkOrder", id=board, reason=" ")) == [("reason", "REQUIRED")]
    assert codes(act(desk, "dispatchWorkOrder", id=board)) == [("worker", "REQUIRED")]
    assert codes(act(desk, "dispatchWorkOrder", id=board, worker="nope")) == [("worker", "INVALID")]
    assert codes(act(desk, "dispatchWorkOrder", id=board, team=gid("WorkOrderTeam", 999999999))) == [
        ("team", "INVALID")
    ]
    ok(act(chen, "startWorkOrder", id=oid))
    assert codes(act(chen, "addWorkOrderMaterial", id=oid, item="NOPE", quantity="-1")) == [
        ("item", "INVALID"),
        ("quantity", "INVALID"),
    ]
    assert codes(act(chen, "completeWorkOrder", id=oid, notes="", labourMinutes=0)) == [
        ("labourMinutes", "INVALID"),
        ("notes", "REQUIRED"),
    ]
    ok(act(chen, "completeWorkOrder", id=oid, notes="修好", labourMinutes=30))
    assert codes(act(nurse, "verifyWorkOrder", id=oid, rating=9)) == [("rating", "INVALID")]
    assert codes(act(chen, "verifyWorkOrder", id=oid, rating=5)) == [(None, "PERMISSION_DENIED")]
    # TOO_LATE: reopening long after completion.
    with in_tenant(tenants.a):
        WorkOrder.objects.filter(number=order["number"]).update(
            completed_at=timezone.now() - dt.timedelta(days=30)
        )
    assert codes(act(nurse, "reopenWorkOrder", id=oid, reason="又漏了")) == [(None, "TOO_LATE")]
    refused = act(nurse, "reopenWorkOrder", id=oid, reason="又漏了")
    assert "7" in refused["errors"][0]["message"]  # the organisation's reopening period, in its language


def test_two_dispatches_in_a_row_the_second_is_wrong_state(tenants, in_tenant, w):
    """(The concurrent case, two threads: test_concurrency.py.)"""
    board = ok(submit(w["api"]["nurse"], trade="carpentry", room=ward(w), description="门"))["id"]
    first = act(w["api"]["desk"], "dispatchWorkOrder", id=board, worker=gid("User", w["chen"].pk))
    second = act(w["api"]["desk2"], "dispatchWorkOrder", id=board, worker=gid("User", w["liu"].pk))
    assert ok(first)["assignee"]["name"] == "chen"
    assert codes(second) == [(None, "WRONG_STATE")]
    with in_tenant(tenants.a):
        stored = WorkOrder.objects.get(number=ok(first)["number"])
        assert stored.assignee_id == w["chen"].pk
        assert stored.events.filter(kind="dispatched").count() == 1


# --- Who sees what ---------------------------------------------------------------------------------


def test_a_worker_sees_only_their_jobs_and_their_teams_queue_unless_scoped(
    tenants, in_tenant, w, person, api
):
    nurse = w["api"]["nurse"]
    zhang = person(tenants.a, "zhang", "worker")
    with in_tenant(tenants.a):
        wood = Team.objects.create(code="wood", name="木工班")
        wood.members.set([zhang])
    east_job = ok(submit(nurse, trade="water", room=ward(w), description="东楼漏水"))  # chen's
    queued = ok(submit(nurse, trade="water", room=lobby(w), description="西楼漏水"))  # wet's queue
    board = ok(submit(nurse, trade="carpentry", room=lobby(w), description="西楼门"))
    zhang_api = api(tenants.a, user=zhang)
    listed = "{ workOrders(first: 20) { totalCount edges { node { number } } } }"
    # Another team's worker: nothing listed, nodes null, actions NOT_FOUND.
    assert numbers(zhang_api(listed)) == set()
    for order in (east_job, queued, board):
        assert zhang_api(NODE, {"id": order["id"]})["data"]["node"] is None
    assert codes(act(zhang_api, "takeWorkOrder", id=queued["id"])) == [("id", "NOT_FOUND")]
    assert codes(act(zhang_api, "startWorkOrder", id=east_job["id"])) == [("id", "NOT_FOUND")]
    # The team: chen has his job and the queue; liu only the queue.
    assert numbers(w["api"]["chen"](listed)) == {east_job["number"], queued["number"]}
    assert numbers(w["api"]["liu"](listed)) == {queued["number"]}
    ok(act(w["api"]["liu"], "takeWorkOrder", id=queued["id"]))  # now liu's alone
    assert numbers(w["api"]["chen"](listed)) == {east_job["number"]}
    assert w["api"]["chen"](NODE, {"id": queued["id"]})["data"]["node"] is None
    # The reporter sees all three; the other end user none; the desk (scope: all) every one.
    assert numbers(nurse(listed)) == {east_job["number"], queued["number"], board["number"]}
    assert numbers(w["api"]["other"](listed)) == set()
    assert {east_job["number"], queued["number"], board["number"]} <= numbers(w["api"]["desk"](listed))
    # A role whose scope reaches the east building lets zhang see the orders there, no others.
    with in_tenant(tenants.a):
        watch = Role.objects.create(
            code="east_watch",
            name="东楼巡查",
            permissions=["workorders.view"],
            data_scope=DataScope.ALL,
            building_ids=[w["east"].pk],
        )
        zhang.roles.add(watch)
    assert numbers(zhang_api(listed)) == {east_job["number"]}
    assert zhang_api(NODE, {"id": east_job["id"]})["data"]["node"]["number"] == east_job["number"]
    # Seeing is not doing: it is chen's job.
    assert codes(act(zhang_api, "startWorkOrder", id=east_job["id"])) == [(None, "PERMISSION_DENIED")]


def test_filters_sorts_and_count(tenants, in_tenant, w):
    nurse, desk = w["api"]["nurse"], w["api"]["desk"]
    made = [
        ok(
            submit(
                nurse,
                trade="carpentry",
                room=ward(w),
                description=f"门{i}",
                priority="URGENT" if i == 0 else "NORMAL",
            )
        )
        for i in range(3)
    ]
    lobby_board = ok(submit(nurse, trade="carpentry", room=lobby(w), description="西楼门"))
    east_water = ok(submit(nurse, trade="water", room=ward(w), description="东楼漏水"))
    ok(act(desk, "acceptWorkOrder", id=made[1]["id"]))
    board = {"status": ["SUBMITTED", "ACCEPTED"], "building": gid("Building", w["east"].pk)}
    body = desk(LIST, {"filter": board, "sort": "SUBMITTED_ASC"})
    connection_ = body["data"]["workOrders"]
    assert [edge["node"]["number"] for edge in connection_["edges"]] == [m["number"] for m in made]
    assert connection_["totalCount"] == 3
    assert numbers(desk(LIST, {"filter": {"status": ["ACCEPTED"]}})) == {made[1]["number"]}
    assert numbers(desk(LIST, {"filter": {"priority": "URGENT"}})) == {made[0]["number"]}
    assert numbers(desk(LIST, {"filter": {"trade": "water"}})) == {east_water["number"]}
    assert numbers(desk(LIST, {"filter": {"team": gid("WorkOrderTeam", w["team"].pk)}})) == {
        east_water["number"]
    }
    assert numbers(desk(LIST, {"filter": {"assignee": gid("User", w["chen"].pk)}})) == {east_water["number"]}
    assert numbers(desk(LIST, {"filter": {"number": lobby_board["number"]}})) == {lobby_board["number"]}
    assert numbers(desk(LIST, {"filter": {"breached": True}})) == set()
    with in_tenant(tenants.a):
        WorkOrder.objects.filter(number=lobby_board["number"]).update(
            response_breached=True, submitted_at=timezone.now() - dt.timedelta(days=40)
        )
    assert numbers(desk(LIST, {"filter": {"breached": True}})) == {lobby_board["number"]}
    recent = {"submittedFrom": (timezone.now() - dt.timedelta(days=1)).isoformat()}
    assert lobby_board["number"] not in numbers(desk(LIST, {"filter": recent}))
    old = {"submittedTo": (timezone.now() - dt.timedelta(days=30)).isoformat()}
    assert numbers(desk(LIST, {"filter": old})) == {lobby_board["number"]}
    # Pages: newest first by default, keyset cursors, every row once.
    seen, after = [], None
    while True:
        page = desk(
            "query($after: String) { workOrders(first: 2, after: $after) { pageInfo { hasNextPage endCursor } "
            "edges { node { number submittedAt } } } }",
            {"after": after},
        )["data"]["workOrders"]
        seen += [edge["node"]["number"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == 5 and seen[-1] == lobby_board["number"]
    # A filter id of the wrong type is INVALID_ID; an order by its number.
    assert top_codes(desk(LIST, {"filter": {"building": gid("Room", 1)}})) == ["INVALID_ID"]
    found = desk("query($n: String!) { workOrder(number: $n) { id } }", {"n": made[2]["number"]})
    assert found["data"]["workOrder"]["id"] == made[2]["id"]


def test_trades_and_teams_lists(tenants, in_tenant, w):
    trades = w["api"]["nurse"](
        "{ workOrderTrades(first: 50) { totalCount edges { node { id code displayName } } } }"
    )
    codes_ = [edge["node"]["code"] for edge in trades["data"]["workOrderTrades"]["edges"]]
    assert codes_[:3] == ["water", "electric", "low-voltage"] and "carpentry" in codes_
    with in_tenant(tenants.a):
        Trade.objects.filter(code="masonry").update(is_active=False)
    again = w["api"]["nurse"]("{ workOrderTrades(first: 50) { totalCount } }")["data"]["workOrderTrades"]
    assert again["totalCount"] == trades["data"]["workOrderTrades"]["totalCount"] - 1
    teams = '{ workOrderTeams(first: 10, filter: {trade: "water"}) { edges { node { code supervisor { name } members { name } trades } } } }'
    (team,) = [edge["node"] for edge in w["api"]["desk"](teams)["data"]["workOrderTeams"]["edges"]]
    assert team["code"] == "wet" and team["supervisor"]["name"] == "boss" and team["trades"] == ["water"]
    assert {m["name"] for m in team["members"]} == {"chen", "liu", "boss"}
    # Teams are for the desk (workorders.view); a reporter sees none.
    assert w["api"]["nurse"](teams)["data"]["workOrderTeams"]["edges"] == []


def test_photos_come_with_signed_links(tenants, in_tenant, w, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with in_tenant(tenants.a):
        references = actions.store_photos(
            [SimpleUploadedFile("漏水.png", png_bytes(), content_type="image/png")], actor=w["nurse"]
        )
        order = actions.submit(
            user=w["nurse"], trade=w["water"], room=w["ward"], description="漏水", photos=references
        )
    nurse = w["api"]["nurse"]
    body = nurse(
        "query($id: ID!) { node(id: $id) { ... on WorkOrder { photos { stage name size contentType url uploadedBy { name } } } } }",
        {"id": gid("WorkOrder", order.pk)},
    )
    (photo,) = body["data"]["node"]["photos"]
    assert (photo["stage"], photo["name"], photo["contentType"], photo["uploadedBy"]["name"]) == (
        "REPORT",
        "漏水.png",
        "image/png",
        "nurse",
    )
    assert photo["url"].startswith(f"http://{tenants.a.get_primary_domain().domain}/files/")
    served = nurse.client.get(photo["url"].split(tenants.a.get_primary_domain().domain, 1)[1])
    assert served.status_code == 200 and b"".join(served.streaming_content) == png_bytes()
    # The other end user cannot see the order, so not its photos either.
    assert w["api"]["other"](NODE, {"id": gid("WorkOrder", order.pk)})["data"]["node"] is None


def test_a_page_of_orders_costs_the_same_queries_as_a_page_of_two(tenants, in_tenant, w):
    query = (
        "{ workOrders(first: %d) { totalCount edges { node { number status trade { code customFields } "
        "roomName location reporter { name } assignee { name } team { code supervisor { name } members { name } trades } "
        "photos { url } materials { itemCode amount addedBy { name } } timeline { kind label actor { name } } } } } }"
    )
    desk = w["api"]["desk"]
    desk("{ tenant { name } }")

    def count(size):
        with CaptureQueriesContext(connection) as captured:
            body = desk(query % size)
        assert "errors" not in body, body
        return len(captured.captured_queries), len(body["data"]["workOrders"]["edges"])

    for i in range(2):
        ok(submit(w["api"]["nurse"], trade="water", room=ward(w), description=f"漏水{i}"))
    small = count(2)
    for i in range(8):
        order = ok(
            submit(
                w["api"]["nurse"], trade="water", room=lobby(w) if i % 2 else ward(w), description=f"漏水{i}"
            )
        )
        if i % 2 == 0:
            ok(act(w["api"]["chen"], "startWorkOrder", id=order["id"]))
            ok(act(w["api"]["chen"], "addWorkOrderMaterial", id=order["id"], item="T1", quantity="1"))
    large = count(10)
    assert (small[1], large[1]) == (2, 10)
    assert large[0] == small[0], (small, large)


# --- Module switch and tenants ---------------------------------------------------------------------


def test_a_switched_off_module_answers_module_disabled(tenants, in_tenant, w):
    order = ok(submit(w["api"]["nurse"], trade="water", room=ward(w), description="漏水"))
    set_module_enabled(tenants.a, "workorders", False, actor="tests")
    desk = w["api"]["desk"]
    assert top_codes(desk(LIST)) == ["MODULE_DISABLED"]
    assert top_codes(desk(NODE, {"id": order["id"]})) == ["MODULE_DISABLED"]
    refused = desk(SUBMIT, {"input": {"trade": "water", "room": ward(w), "description": "x"}})
    assert top_codes(refused) == ["MODULE_DISABLED"] and refused["data"] == {"submitWorkOrder": None}
    body = desk(
        "mutation($input: WorkOrderInput!) { closeWorkOrder(input: $input) { errors { code } } }",
        {"input": {"id": order["id"]}},
    )
    assert top_codes(body) == ["MODULE_DISABLED"]


def test_tenant_b_gets_nothing_of_tenant_a(tenants, in_tenant, w, person, api):
    nurse = w["api"]["nurse"]
    a_orders = [
        ok(submit(nurse, trade="water", room=ward(w), description="东楼漏水")),
        ok(submit(nurse, trade="carpentry", room=ward(w), description="门")),
    ]
    with in_tenant(tenants.a):
        a_line = MaterialLine.objects.create(
            order=WorkOrder.objects.get(number=a_orders[0]["number"]), item=w["item"], quantity=1, unit_cost=1
        )
    with in_tenant(tenants.b):
        campus = spaces.create_campus(code="EAST", name="东校区")
        building = spaces.create_building(campus=campus, code="LIB", name="图书馆")
        floor = spaces.create_floor(building=building, level=1, code="1F", name="一层")
        reading = spaces.create_room(floor=floor, code="B101", name="阅览室")
    b_reader = person(tenants.b, "b-reader", "end_user")
    b_user, b_key = api(tenants.b, user=b_reader), api(tenants.b, role="dispatcher")
    b_admin = api(tenants.b, role="tenant_admin")
    b_own = ok(submit(b_user, trade="water", room=gid("Room", reading.pk), description="阅览室漏水"))
    for caller in (b_user, b_key, b_admin):
        assert numbers(caller(LIST)) <= {b_own["number"]}
        for order in a_orders:
            assert caller(NODE, {"id": order["id"]})["data"]["node"] is None
            found = caller("query($n: String!) { workOrder(number: $n) { id } }", {"n": order["number"]})
            assert found["data"]["workOrder"] is None
        assert caller(NODE, {"id": gid("WorkOrderMaterial", a_line.pk)})["data"]["node"] is None
    assert numbers(b_admin(LIST)) == {b_own["number"]}
    for mutation, extra in (
        ("acceptWorkOrder", {}),
        ("dispatchWorkOrder", {"worker": gid("User", w["chen"].pk)}),
        ("rejectWorkOrder", {"reason": "x"}),
        ("closeWorkOrder", {}),
        ("complainWorkOrder", {"text": "x"}),
        ("cancelWorkOrder", {}),
    ):
        for order in a_orders:
            assert codes(act(b_admin, mutation, id=order["id"], **extra)) == [("id", "NOT_FOUND")]
    assert codes(act(b_admin, "removeWorkOrderMaterial", material=gid("WorkOrderMaterial", a_line.pk))) == [
        ("material", "NOT_FOUND")
    ]
    # A's room is no room of B's; A's key is unknown on B's domain.
    assert codes(submit(b_user, trade="water", room=ward(w), description="x")) == [("room", "INVALID")]
    a_key = api(tenants.a, role="tenant_admin")
    from tests.api.helpers import Api

    stray = Api(tenants.b.get_primary_domain().domain, key=a_key.key)
    response = stray.post(LIST)
    assert response.status_code == 401 and top_codes(response.json()) == ["UNAUTHENTICATED"]
    with in_tenant(tenants.a):
        assert WorkOrder.objects.filter(status=Status.SUBMITTED, number=a_orders[1]["number"]).exists()
        assert not Event.objects.filter(
            kind__in=("accepted", "rejected", "closed", "cancelled", "complaint")
        ).exists()


# --- Fuzzing, with the module on -----------------------------------------------------------------


def _work_order_operations():
    from tests.api.test_fuzz import SCHEMA  # registers the JSON scalar's strategy too

    return SCHEMA.include(name_regex="(?i)workorder")


@_work_order_operations().parametrize()
@hypothesis_settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_fuzzing_the_work_order_api_finds_no_server_errors(case, w, api, tenants):
    """tests/api/test_fuzz.py meets these fields switched off (MODULE_DISABLED); here they run."""
    caller = api(tenants.a, role="tenant_admin", per_minute=1_000_000)
    response = caller.post(case.body if isinstance(case.body, str) else case.body["query"])
    assert response.status_code < 500, response.content[:500]
    body = response.json()
    for error in body.get("errors", []):
        assert error.get("extensions", {}).get("code"), error
        assert error["extensions"]["code"] not in ("INTERNAL_ERROR", "MODULE_DISABLED"), (case.body, error)


# --- docs/api.md's work-order examples, as written ------------------------------------------------

API_MD = Path(__file__).resolve().parents[3] / "docs" / "api.md"


def guide_examples() -> list[str]:
    """The shell examples of the guide's "Work orders" section (```bash blocks: they need the
    module on, which tests/api/test_docs.py's tenant does not have)."""
    section = API_MD.read_text().split("\n## Work orders\n", 1)[1].split("\n## ", 1)[0]
    return [block for block in re.findall(r"```bash\n(.*?)```", section, re.S) if "curl" in block]


def test_the_guide_has_work_order_examples():
    blocks = guide_examples()
    assert len(blocks) >= 4
    assert sum("# expect error:" in block for block in blocks) >= 2


@pytest.fixture
def guide_partner(tenants, in_tenant, url):
    """FACILIS_URL and FACILIS_API_KEY for tenant A with the module on and a room (committed)."""
    from identity import actions as identity
    from identity.models import ApiKey
    from modules.workorders.tests.test_concurrency import switched_on

    with switched_on(tenants.a):
        with in_tenant(tenants.a):
            campus = spaces.create_campus(code="MAIN", name="本部", name_en="Main campus")
            building = spaces.create_building(campus=campus, code="INP", name="住院楼")
            floor = spaces.create_floor(building=building, level=5, code="5F", name="五层")
            spaces.create_room(floor=floor, code="501", name="病房1")
            record, raw = identity.create_api_key(
                name="docs", role=Role.objects.get(code="tenant_admin"), expires_at=None
            )
        try:
            yield {
                **os.environ,
                "FACILIS_URL": url(tenants.a.get_primary_domain().domain, "").rstrip("/"),
                "FACILIS_API_KEY": raw,
            }
        finally:
            with in_tenant(tenants.a):
                ApiKey.objects.filter(pk=record.pk).delete()


@pytest.mark.parametrize("number", range(len(guide_examples())))
def test_each_work_order_example_answers_as_the_guide_says(guide_partner, number):
    from tests.api.test_docs import codes_in

    block = guide_examples()[number]
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", block],
        env=guide_partner,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    expected = re.search(r"# expect error: (\w+)", block)
    if expected:
        assert expected.group(1) in codes_in(answer), answer
    else:
        assert codes_in(answer) == set(), answer
        assert all(value is not None for value in answer["data"].values()), answer
