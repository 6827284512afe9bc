"""The life of a work order through the actions: intake, routing, the desk, the worker, the
reporter; refusals with codes; timers with frozen time; costs."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kernel.models import OutboxEvent
from modules.inventory.models import Item
from modules.workorders import actions
from modules.workorders.models import Rectification, Settings, SlaRule, WorkOrder

pytestmark = pytest.mark.django_db
Status = WorkOrder.Status


def report(wo, trade="water", room="ward", **more):
    return actions.submit(
        user=more.pop("user", wo["nurse"]), trade=wo[trade], room=wo[room], description="水龙头漏水", **more
    )


def test_area_ownership_sends_the_order_to_the_worker_who_owns_the_building(tenants, in_tenant, wo):
    with in_tenant(tenants.a):
        order = report(wo)
        order.refresh_from_db()
        assert (order.status, order.assignee_id, order.team_id) == (
            Status.DISPATCHED,
            wo["chen"].pk,
            wo["team"].pk,
        )
        assert order.number.startswith("WO") and order.building_id == wo["east"].pk
        # Another building: the team's queue (nobody yet); any member may take it.
        queued = report(wo, room="lobby")
        queued.refresh_from_db()
        assert (queued.status, queued.assignee_id) == (Status.DISPATCHED, None)
        actions.take(queued, actor=wo["liu"])
        queued.refresh_from_db()
        assert queued.assignee_id == wo["liu"].pk and queued.responded_at is not None
        with pytest.raises(PermissionDenied):
            actions.start(queued, actor=wo["chen"])  # liu's now
        # No rule for carpentry: the dispatch board.
        board = report(wo, trade="carpentry")
        board.refresh_from_db()
        assert board.status == Status.SUBMITTED and board.assignee_id is None
        kinds = list(board.events.values_list("kind", flat=True))
        assert kinds == ["submitted"]
        topics = set(OutboxEvent.objects.filter(payload__id=board.pk).values_list("topic", flat=True))
        assert "workorders.order.submitted" in topics


def test_the_whole_life_with_costs_rating_and_rectification(tenants, in_tenant, wo):
    with in_tenant(tenants.a):
        Settings.objects.update(hourly_rate=Decimal("80.00"))
        tap = Item.objects.create(code="T1", name="水龙头", unit_cost=Decimal("45.50"))
        order = report(wo, trade="carpentry")
        actions.accept(order, actor=wo["desk"])
        actions.dispatch(order, actor=wo["desk"], worker=wo["chen"])
        order.refresh_from_db()
        assert order.status == Status.DISPATCHED and order.team_id == wo["team"].pk  # chen's team
        actions.start(order, actor=wo["chen"])
        actions.add_material(order, actor=wo["chen"], item=tap.pk, quantity="2")
        with pytest.raises(ValidationError) as bad:
            actions.add_material(order, actor=wo["chen"], item=999999, quantity="-1")
        assert set(bad.value.message_dict) == {"item", "quantity"}
        with pytest.raises(ValidationError) as bad:
            actions.complete(order, actor=wo["chen"], notes="", labour_minutes=0)
        assert set(bad.value.message_dict) == {"notes", "labour_minutes"}
        actions.complete(order, actor=wo["chen"], notes="换了水龙头", labour_minutes=45)
        order.refresh_from_db()
        assert (order.material_cost, order.labour_cost, order.total_cost) == (
            Decimal("91.00"),
            Decimal("60.00"),
            Decimal("151.00"),
        )
        with pytest.raises(PermissionDenied):
            actions.verify(order, actor=wo["other"], rating=5)
        with pytest.raises(ValidationError):
            actions.verify(order, actor=wo["nurse"], rating=6)
        actions.verify(order, actor=wo["nurse"], rating=2, comment="拖了两天")
        order.refresh_from_db()
        assert order.status == Status.VERIFIED and order.rating == 2
        rectification = Rectification.objects.get(order=order)
        assert (rectification.worker_id, rectification.supervisor_id) == (wo["chen"].pk, wo["boss"].pk)
        actions.revisit(order, actor=wo["desk"], outcome="neutral", note="已致歉")
        actions.close(order, actor=wo["desk"])
        order.refresh_from_db()
        assert order.status == Status.CLOSED
        kinds = list(order.events.values_list("kind", flat=True))
        assert kinds == [
            "submitted",
            "accepted",
            "dispatched",
            "started",
            "material",
            "completed",
            "verified",
            "rectification",
            "revisited",
            "closed",
        ]


def test_refusals_name_the_field_or_the_state(tenants, in_tenant, wo):
    with in_tenant(tenants.a):
        before = WorkOrder.objects.count()
        with pytest.raises(ValidationError) as bad:
            actions.submit(user=wo["nurse"], trade=None, room=None, description=" ", priority="asap")
        assert set(bad.value.message_dict) == {"trade", "room", "description", "priority"}
        with pytest.raises(ValidationError) as bad:
            actions.submit(user=wo["nurse"], trade=123456, room=wo["ward"].pk, description="x")
        assert bad.value.error_dict["trade"][0].code == "invalid"
        # The desk logging a call must say who called; a reporter cannot log calls.
        with pytest.raises(ValidationError) as bad:
            report(wo, user=wo["desk"], channel=WorkOrder.Channel.PHONE)
        assert set(bad.value.message_dict) == {"contact_name"}
        with pytest.raises(PermissionDenied):
            report(wo, channel=WorkOrder.Channel.PHONE, contact_name="x")
        assert WorkOrder.objects.count() == before
        call = report(wo, user=wo["desk"], channel=WorkOrder.Channel.PHONE, contact_name="收费处 孙女士")
        assert (call.desk_officer_id, call.reporter_id, call.received_at is not None) == (
            wo["desk"].pk,
            None,
            True,
        )
        # The wrong state: a dispatched order cannot be dispatched again, nor rejected.
        order = report(wo)
        with pytest.raises(actions.WorkOrderError) as refused:
            actions.dispatch(order, actor=wo["desk"], worker=wo["liu"])
        assert refused.value.code == "wrong_state"
        with pytest.raises(ValidationError):
            actions.reject(report(wo, trade="carpentry"), actor=wo["desk"], reason="")
        with pytest.raises(PermissionDenied):
            actions.accept(report(wo, trade="carpentry"), actor=wo["nurse"])


def test_reject_cancel_and_reopen(tenants, in_tenant, wo):
    with in_tenant(tenants.a):
        rejected = actions.reject(report(wo, trade="carpentry"), actor=wo["desk"], reason="不属于维修范围")
        assert rejected.status == Status.REJECTED and rejected.reject_reason == "不属于维修范围"
        order = report(wo)
        with pytest.raises(PermissionDenied):
            actions.cancel(order, actor=wo["other"])
        assert actions.cancel(order, actor=wo["nurse"]).status == Status.CANCELLED
        started = report(wo)
        actions.start(started, actor=wo["chen"])
        with pytest.raises(actions.WorkOrderError):
            actions.cancel(started, actor=wo["nurse"])  # work has started
        actions.complete(started, actor=wo["chen"], notes="修好", labour_minutes=20)
        reopened = actions.reopen(started, actor=wo["nurse"], reason="还在漏")
        assert (reopened.status, reopened.reopen_count, reopened.assignee_id) == (
            Status.DISPATCHED,
            1,
            wo["chen"].pk,
        )
        actions.start(reopened, actor=wo["chen"])
        actions.complete(reopened, actor=wo["chen"], notes="换了阀芯", labour_minutes=30)
        WorkOrder.objects.filter(pk=reopened.pk).update(completed_at=timezone.now() - dt.timedelta(days=30))
        with pytest.raises(actions.WorkOrderError) as late:
            actions.reopen(reopened, actor=wo["nurse"], reason="又漏了")
        assert late.value.code == "too_late"


def test_auto_accept_after_three_days_and_escalation_with_frozen_time(tenants, in_tenant, wo, time_machine):
    start = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
    time_machine.move_to(start, tick=False)
    with in_tenant(tenants.a):
        SlaRule.objects.filter(trade=None, priority="normal").update(response_minutes=120)
        done = report(wo)
        actions.start(done, actor=wo["chen"])
        actions.complete(done, actor=wo["chen"], notes="修好", labour_minutes=20)
        waiting = report(wo, trade="carpentry")  # on the board, nobody responds
        waiting.refresh_from_db()
        assert waiting.response_due_at == start + dt.timedelta(minutes=120)
        time_machine.move_to(start + dt.timedelta(minutes=100), tick=False)
        assert actions.sweep()["reminded"] == 1
        time_machine.move_to(start + dt.timedelta(minutes=121), tick=False)
        assert actions.sweep()["escalated"] == 1
        assert actions.sweep()["escalated"] == 0  # once
        waiting.refresh_from_db()
        assert waiting.response_breached and waiting.escalated_at is not None
        time_machine.move_to(start + dt.timedelta(days=2, hours=23), tick=False)
        assert actions.sweep()["auto_verified"] == 0
        time_machine.move_to(start + dt.timedelta(days=3, minutes=1), tick=False)
        assert actions.sweep()["auto_verified"] == 1
        done.refresh_from_db()
        assert done.status == Status.VERIFIED and done.auto_accepted and done.rating is None


def test_sla_rule_changes_apply_to_new_orders_and_the_replay_compares(tenants, in_tenant, wo, time_machine):
    start = dt.datetime(2026, 10, 5, 9, 0, tzinfo=dt.UTC)
    time_machine.move_to(start, tick=False)
    with in_tenant(tenants.a):
        SlaRule.objects.filter(trade=None, priority="normal").update(
            response_minutes=60, resolution_minutes=600
        )
        order = report(wo)
        time_machine.move_to(start + dt.timedelta(minutes=90), tick=False)
        actions.start(order, actor=wo["chen"])  # responded after 90 minutes: late under 60
        SlaRule.objects.filter(trade=None, priority="normal").update(response_minutes=30)
        order.refresh_from_db()
        assert order.response_due_at == start + dt.timedelta(minutes=60) and order.response_breached
        assert report(wo).response_due_at == start + dt.timedelta(minutes=90 + 30)
        result = actions.replay(
            {"response_minutes": 120, "resolution_minutes": 600, "business_hours": False},
            since=start - dt.timedelta(days=1),
            until=start + dt.timedelta(hours=1),
        )
        assert result["orders"] == 1
        assert result["actual"]["response_met"] == 0 and result["proposed"]["response_met"] == 1
        assert result["proposed"]["response_rate"] == 100.0


def test_two_leader_pre_approval_of_the_seed_then_dispatch(tenants, in_tenant, wo, person):
    """The hospital case: a masonry job needs the reporter's head, then the repair desk's
    leader (the seed workflow); only then is anyone sent — and a refusal tells the reporter."""
    from identity.models import Department
    from lowcode.workflows import actions as workflows
    from lowcode.workflows.models import Task, WorkflowDefinition

    head = person(tenants.a, "ward-head", "approver")
    with in_tenant(tenants.a):
        Department.objects.filter(pk=wo["nurse"].department_id).update(head=head)
        seed = WorkflowDefinition.objects.get(code="repair-preapproval")
        wo["carpentry"].approval_workflow = seed
        wo["carpentry"].save()
        order = report(wo, trade="carpentry")
        order.refresh_from_db()
        assert order.status == Status.PENDING_APPROVAL
        first = Task.objects.get(instance__subject_id=order.pk, status="pending")
        assert first.assignee_id == head.pk  # the reporter's direct leader
        workflows.decide(first, actor=head, approve=True)
        order.refresh_from_db()
        assert order.status == Status.PENDING_APPROVAL  # still the desk's leader to go
        second = Task.objects.filter(instance__subject_id=order.pk, status="pending")
        assert {t.assignee_id for t in second} == {wo["desk"].pk, wo["desk2"].pk}  # or-sign of the desk
        workflows.decide(second.get(assignee=wo["desk2"]), actor=wo["desk2"], approve=True)
        order.refresh_from_db()
        assert order.status == Status.SUBMITTED  # on the board: no rule for carpentry
        assert list(order.events.values_list("kind", flat=True)) == [
            "submitted",
            "approval_started",
            "approved",
        ]
        # Refused by the leader: rejected, the reporter told.
        refused = report(wo, trade="carpentry")
        task = Task.objects.get(instance__subject_id=refused.pk, status="pending")
        workflows.decide(task, actor=head, approve=False, comment="先走基建流程")
        refused.refresh_from_db()
        assert refused.status == Status.REJECTED and refused.reject_reason
        told = OutboxEvent.objects.filter(topic="notification.requested", payload__kind="workorders.status")
        assert any(e.payload["recipients"] == [wo["nurse"].pk] for e in told)
