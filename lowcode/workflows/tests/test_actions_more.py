"""Out-of-office delegation, handing a task over (转交), adding a signer (加签) and reminders (催办)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from kernel.models import OutboxEvent
from lowcode.workflows import actions
from lowcode.workflows.models import Delegation, Instance, Task
from lowcode.workflows.tests.helpers import approval, begin, decide, pending, users

pytestmark = pytest.mark.django_db


class TestOutOfOffice:
    def test_tasks_go_to_the_delegate_while_away_and_both_are_recorded(self, tenants, in_tenant, org, flow):
        workflow = flow({"steps": [approval("a", users(org["s0"].pk))]})
        today = timezone.localdate()
        with in_tenant(tenants.a):
            Delegation.objects.create(
                delegator=org["s0"], delegate=org["s1"], starts_on=today, ends_on=today + dt.timedelta(days=3)
            )
            instance = begin(workflow, org["nurse"])
            [task] = pending(instance)
            assert (task.assignee_id, task.on_behalf_of_id) == (org["s1"].pk, org["s0"].pk)
            assert instance.log.filter(kind="out_of_office", data__away=org["s0"].pk).exists()
            decide(instance, org["s1"])
            assert Instance.objects.get(pk=instance.pk).status == Instance.Status.APPROVED

    def test_only_between_the_dates_and_for_the_chosen_workflows(self, tenants, in_tenant, org, flow):
        workflow = flow({"steps": [approval("a", users(org["s0"].pk))]})
        today = timezone.localdate()
        with in_tenant(tenants.a):
            Delegation.objects.create(
                delegator=org["s0"],
                delegate=org["s1"],
                starts_on=today + dt.timedelta(days=1),
                ends_on=today + dt.timedelta(days=2),
            )
            Delegation.objects.create(
                delegator=org["s0"], delegate=org["s2"], starts_on=today, ends_on=today, workflows=["other"]
            )
            instance = begin(workflow, org["nurse"])
            assert [t.assignee_id for t in pending(instance)] == [org["s0"].pk]


class TestHandOverAndAddSigner:
    def test_hand_over_keeps_the_step_and_records_both(self, tenants, in_tenant, org, flow):
        workflow = flow({"steps": [approval("all", users(org["s0"].pk, org["s1"].pk), mode="all")]})
        with in_tenant(tenants.a):
            instance = begin(workflow, org["nurse"])
            mine = Task.objects.get(instance=instance, assignee=org["s0"])
            new = actions.delegate(mine, actor=org["s0"], to=org["s2"].pk, comment="出差")
            assert (new.assignee_id, new.on_behalf_of_id) == (org["s2"].pk, org["s0"].pk)
            assert Task.objects.get(pk=mine.pk).status == Task.Status.DELEGATED
            decide(instance, org["s1"])
            assert Instance.objects.get(pk=instance.pk).status == Instance.Status.RUNNING  # s2 still to sign
            decide(instance, org["s2"])
            assert Instance.objects.get(pk=instance.pk).status == Instance.Status.APPROVED
            with pytest.raises(actions.WorkflowError) as twice:
                actions.delegate(mine, actor=org["s0"], to=org["s3"].pk)
            assert twice.value.code == "already_decided"

    def test_an_added_signer_must_approve_even_on_an_or_sign_step(self, tenants, in_tenant, org, flow):
        workflow = flow({"steps": [approval("any", users(org["s0"].pk, org["s1"].pk), mode="any")]})
        with in_tenant(tenants.a):
            instance = begin(workflow, org["nurse"])
            mine = Task.objects.get(instance=instance, assignee=org["s0"])
            actions.add_signer(mine, actor=org["s0"], person=org["s3"].pk, comment="请设备科会签")
            decide(instance, org["s0"])
            assert Instance.objects.get(pk=instance.pk).status == Instance.Status.RUNNING
            decide(instance, org["s3"], approve=False)
            assert Instance.objects.get(pk=instance.pk).status == Instance.Status.REJECTED
            with pytest.raises(actions.WorkflowError):
                actions.add_signer(mine, actor=org["s0"], person=org["s2"].pk)

    def test_no_one_twice_in_a_step_and_only_ones_own_task(self, tenants, in_tenant, org, flow):
        workflow = flow({"steps": [approval("all", users(org["s0"].pk, org["s1"].pk), mode="all")]})
        with in_tenant(tenants.a):
            instance = begin(workflow, org["nurse"])
            mine = Task.objects.get(instance=instance, assignee=org["s0"])
            with pytest.raises(actions.WorkflowError) as already:
                actions.add_signer(mine, actor=org["s0"], person=org["s1"].pk)
            assert already.value.code == "invalid"
            with pytest.raises(PermissionDenied):
                actions.delegate(mine, actor=org["s1"], to=org["s2"].pk)


class TestUrge:
    def test_the_requester_reminds_the_waiting_at_most_once_an_hour(self, tenants, in_tenant, org, flow):
        workflow = flow({"steps": [approval("all", users(org["s0"].pk, org["s1"].pk), mode="all")]})
        with in_tenant(tenants.a):
            instance = begin(workflow, org["nurse"])
            decide(instance, org["s0"])
            assert actions.urge(instance, actor=org["nurse"]) == 1
            event = OutboxEvent.objects.filter(
                topic="notification.requested", payload__kind="workflows.urge"
            ).get()
            assert event.payload["recipients"] == [org["s1"].pk]
            with pytest.raises(actions.WorkflowError) as soon:
                actions.urge(instance, actor=org["nurse"])
            assert soon.value.code == "too_soon"
            with pytest.raises(PermissionDenied):
                actions.urge(instance, actor=org["s0"])


class TestReturnForInformation:
    def test_the_requester_answers_and_the_step_asks_again(self, tenants, in_tenant, org, flow):
        workflow = flow({"steps": [approval("all", users(org["s0"].pk, org["s1"].pk), mode="all")]})
        with in_tenant(tenants.a):
            instance = begin(workflow, org["nurse"])
            decide(instance, org["s1"])
            mine = Task.objects.get(instance=instance, assignee=org["s0"], status=Task.Status.PENDING)
            with pytest.raises(actions.WorkflowError):
                actions.return_for_information(mine, actor=org["s0"], comment="  ")
            ask = actions.return_for_information(mine, actor=org["s0"], comment="请补充报价单")
            assert (ask.assignee_id, ask.kind) == (org["nurse"].pk, Task.Kind.RESPOND)
            # Meanwhile nobody can approve, and the requester is the one waited for.
            assert [t.assignee_id for t in pending(instance)] == [org["nurse"].pk]
            with pytest.raises(actions.WorkflowError) as wrong:
                actions.decide(ask, actor=org["nurse"], approve=True)
            assert wrong.value.code == "wrong_kind"
            actions.respond(ask, actor=org["nurse"], comment="已上传", answers={"quote": 1200})
            instance.refresh_from_db()
            assert instance.context["quote"] == 1200
            # The step starts again: both sign again (a new round).
            assert sorted(t.assignee_id for t in pending(instance)) == [org["s0"].pk, org["s1"].pk]
            assert {t.round for t in pending(instance)} == {instance.round}
            kinds = list(instance.log.values_list("kind", flat=True))
            assert kinds[-3:] == ["returned", "answered", "waiting"]
            decide(instance, org["s0"])
            decide(instance, org["s1"])
            assert Instance.objects.get(pk=instance.pk).status == Instance.Status.APPROVED

    def test_on_the_portal(self, tenants, in_tenant, org, flow, client_for):
        workflow = flow({"steps": [approval("a", users(org["s0"].pk))]})
        with in_tenant(tenants.a):
            instance = begin(workflow, org["nurse"])
            [task] = pending(instance)
        approver = client_for(tenants.a, user=org["s0"])
        approver.post(f"/workflows/tasks/{task.pk}/", {"decision": "return", "comment": "哪个房间？"})
        with in_tenant(tenants.a):
            [ask] = pending(instance)
        requester = client_for(tenants.a, user=org["nurse"])
        page = requester.get(f"/workflows/tasks/{ask.pk}/").content.decode()
        assert "哪个房间？" in page and 'value="respond"' in page
        requester.post(f"/workflows/tasks/{ask.pk}/", {"decision": "respond", "comment": "501"})
        with in_tenant(tenants.a):
            assert [t.assignee_id for t in pending(instance)] == [org["s0"].pk]


class TestAwayPage:
    def test_set_and_end_an_absence_on_the_portal(self, tenants, in_tenant, org, flow, client_for):
        client = client_for(tenants.a, user=org["s0"])
        today = timezone.localdate()
        # Mistakes are refused next to the field, nothing saved.
        page = client.post(
            "/workflows/away/",
            {
                "delegate": org["s1"].pk,
                "starts_on": today.isoformat(),
                "ends_on": (today - dt.timedelta(days=1)).isoformat(),
            },
        )
        assert page.status_code == 200 and 'class="errors"' in page.content.decode()
        with in_tenant(tenants.a):
            assert not Delegation.objects.exists()
        response = client.post(
            "/workflows/away/",
            {"delegate": org["s1"].pk, "starts_on": today.isoformat(), "ends_on": today.isoformat()},
        )
        assert response.status_code == 302
        workflow = flow({"steps": [approval("a", users(org["s0"].pk))]})
        with in_tenant(tenants.a):
            instance = begin(workflow, org["nurse"])
            assert [(t.assignee_id, t.on_behalf_of_id) for t in pending(instance)] == [
                (org["s1"].pk, org["s0"].pk)
            ]
            mine = Delegation.objects.get(delegator=org["s0"])
        # Someone else cannot end it; its owner can.
        client_for(tenants.a, user=org["s2"]).post("/workflows/away/", {"end": mine.pk})
        with in_tenant(tenants.a):
            assert Delegation.objects.filter(pk=mine.pk).exists()
        client.post("/workflows/away/", {"end": mine.pk})
        with in_tenant(tenants.a):
            assert not Delegation.objects.filter(pk=mine.pk).exists()


def test_a_seed_template_is_copied_then_changed_without_touching_it(tenants, in_tenant, tenant_admin):
    from django.core.exceptions import ValidationError

    from lowcode.workflows.models import WorkflowDefinition

    admin = tenant_admin(tenants.a)
    with in_tenant(tenants.a):
        seed = WorkflowDefinition.objects.select_related("current_version").get(code="purchase-three-level")
        copy = actions.copy_workflow(seed, code="purchase-ours", name="本院采购审批", user=admin)
        assert copy.current_version is None and copy.draft == seed.current_version.definition
        copy.draft["steps"][1]["branches"][0]["when"]["value"] = 10000
        actions.save_draft(copy, copy.draft, user=admin)
        actions.publish(copy, user=admin)
        seed.refresh_from_db()
        assert seed.current_version.definition["steps"][1]["branches"][0]["when"]["value"] == 5000
        with pytest.raises(ValidationError) as taken:
            actions.copy_workflow(seed, code="purchase-ours", name="再来一份", user=admin)
        assert "code" in taken.value.message_dict


def test_an_automatic_step_creates_a_task_that_outlives_the_workflow(tenants, in_tenant, org, flow, api):
    from lowcode.workflows.definition import check

    bad = {"steps": [{"key": "todo", "kind": "action", "action": "create_task", "title": {"zh": " "}}]}
    assert {p.code for p in check(bad)} == {"bad_action", "no_approvers"}
    workflow = flow(
        {
            "steps": [
                approval("head", users(org["wang"].pk)),
                {
                    "key": "order_it",
                    "kind": "action",
                    "action": "create_task",
                    "title": {"zh": "下采购订单", "en": "Place the order"},
                    "assignees": users(org["s0"].pk, org["s1"].pk),
                },
            ]
        }
    )
    with in_tenant(tenants.a):
        instance = begin(workflow, org["nurse"])
        decide(instance, org["wang"])
        instance.refresh_from_db()
        assert instance.status == Instance.Status.APPROVED  # the task does not hold it up
        todos = list(Task.objects.filter(instance=instance, kind=Task.Kind.TODO).order_by("assignee_id"))
        assert [(t.assignee_id, t.status) for t in todos] == [
            (org["s0"].pk, Task.Status.PENDING),
            (org["s1"].pk, Task.Status.PENDING),
        ]
        assert actions.todo_title(todos[0], "en") == "Place the order"
        with pytest.raises(actions.WorkflowError) as wrong:
            actions.decide(todos[0], actor=org["s0"], approve=True)
        assert wrong.value.code == "wrong_kind"
        with pytest.raises(PermissionDenied):
            actions.finish_todo(todos[0], actor=org["s1"])
    # Done through the API by one of them; the other's copy goes.
    from tests.api.helpers import gid

    s0 = api(tenants.a, user=org["s0"])
    listed = s0("{ myTasks(first: 5) { edges { node { id kind } } } }")["data"]["myTasks"]["edges"]
    assert [e["node"]["kind"] for e in listed] == ["TODO"]
    done = s0(
        'mutation($t: ID!) { finishTask(task: $t, comment: "已下单") { result { status } errors { code } } }',
        {"t": gid("WorkflowTask", todos[0].pk)},
    )["data"]["finishTask"]
    assert done == {"result": {"status": "DONE"}, "errors": []}
    with in_tenant(tenants.a):
        assert Task.objects.get(pk=todos[1].pk).status == Task.Status.CANCELLED
        assert list(instance.log.values_list("kind", flat=True))[-1] == "todo_done"
        with pytest.raises(actions.WorkflowError) as again:
            actions.finish_todo(Task.objects.get(pk=todos[0].pk), actor=org["s0"])
        assert again.value.code == "already_decided"


@pytest.mark.parametrize("mode", ["one", "all"])
def test_a_signer_added_before_decides_first_and_after_decides_next(tenants, in_tenant, org, flow, mode):
    workflow = flow({"steps": [approval("head", users(org["wang"].pk), mode=mode)]}, code=f"sign-{mode}")
    with in_tenant(tenants.a):
        # 前加签: 王主任 asks 李部长 first; his own task waits, out of his inbox.
        instance = begin(workflow, org["nurse"], subject_id=1)
        wang_task = pending(instance)[0]
        actions.add_signer(wang_task, actor=org["wang"], person=org["li"].pk, position="before")
        assert [(t.assignee_id, t.status) for t in Task.objects.filter(instance=instance).order_by("pk")] == [
            (org["wang"].pk, Task.Status.HELD),
            (org["li"].pk, Task.Status.PENDING),
        ]
        assert [t.assignee_id for t in pending(instance)] == [org["li"].pk]
        decide(instance, org["li"])
        instance.refresh_from_db()
        assert instance.status == Instance.Status.RUNNING  # back with 王主任
        assert [t.assignee_id for t in pending(instance)] == [org["wang"].pk]
        decide(instance, org["wang"])
        instance.refresh_from_db()
        assert instance.status == Instance.Status.APPROVED
        # A rejection by the one added before rejects the step; the held task goes.
        second = begin(workflow, org["nurse"], subject_id=2)
        actions.add_signer(pending(second)[0], actor=org["wang"], person=org["li"].pk, position="before")
        decide(second, org["li"], approve=False)
        second.refresh_from_db()
        assert second.status == Instance.Status.REJECTED
        assert not Task.objects.filter(
            instance=second, status__in=[Task.Status.HELD, Task.Status.PENDING]
        ).exists()
        # 后加签: 王主任 approves now; the step waits for 李部长.
        third = begin(workflow, org["nurse"], subject_id=3)
        actions.add_signer(pending(third)[0], actor=org["wang"], person=org["li"].pk, position="after")
        third.refresh_from_db()
        assert third.status == Instance.Status.RUNNING
        assert [t.assignee_id for t in pending(third)] == [org["li"].pk]
        decide(third, org["li"])
        third.refresh_from_db()
        assert third.status == Instance.Status.APPROVED
        with pytest.raises(actions.WorkflowError):
            actions.add_signer(
                pending(begin(workflow, org["nurse"], subject_id=4))[0],
                actor=org["wang"],
                person=org["li"].pk,
                position="sideways",
            )


def test_the_task_page_adds_a_signer_and_hands_over(tenants, in_tenant, org, flow):
    from django.test import Client

    from kernel.context import tenant_schema
    from tests.fixtures import host

    workflow = flow({"steps": [approval("head", users(org["wang"].pk))]}, code="page-sign")
    with in_tenant(tenants.a):
        first = begin(workflow, org["nurse"], subject_id=1)
        second = begin(workflow, org["nurse"], subject_id=2)
        task, other = pending(first)[0], pending(second)[0]
    client = Client(HTTP_HOST=host(tenants.a))
    with tenant_schema(tenants.a.schema_name):
        client.force_login(org["wang"])
    page = client.get(f"/workflows/tasks/{task.pk}/").content.decode()
    assert 'id="more-actions"' in page and org["li"].username in page
    # No colleague chosen: refused with a message, nothing changes.
    assert (
        client.post(f"/workflows/tasks/{task.pk}/", {"decision": "signer", "person": ""}).status_code == 200
    )
    with in_tenant(tenants.a):
        assert Task.objects.get(pk=task.pk).status == Task.Status.PENDING
    client.post(
        f"/workflows/tasks/{task.pk}/", {"decision": "signer", "person": org["li"].pk, "position": "before"}
    )
    client.post(f"/workflows/tasks/{other.pk}/", {"decision": "hand_over", "person": org["zhao"].pk})
    with in_tenant(tenants.a):
        assert Task.objects.get(pk=task.pk).status == Task.Status.HELD
        assert [t.assignee_id for t in pending(first)] == [org["li"].pk]
        assert Task.objects.get(pk=other.pk).status == Task.Status.DELEGATED
        assert [t.assignee_id for t in pending(second)] == [org["zhao"].pk]
