"""The approval engine: definitions, approver resolution, the four signing modes, branches,
fallbacks, rejection back to a step, withdrawal, version pinning, concurrency, and random
definitions with random decisions that never leave an instance stuck."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from identity.models import Workgroup
from lowcode.workflows import actions
from lowcode.workflows.definition import check
from lowcode.workflows.models import Instance, Task, WorkflowDefinition
from lowcode.workflows.tests.helpers import approval, begin, decide, pending, users

pytestmark = pytest.mark.django_db


class TestDefinitions:
    def test_branches_go_forward_and_rejections_go_back(self):
        problems = check(
            {
                "steps": [
                    approval("a", users(1), on_reject="b"),
                    {
                        "key": "r",
                        "kind": "branch",
                        "branches": [{"when": {"field": "x", "op": "empty"}, "goto": "a"}],
                    },
                    approval("b", users(1)),
                ]
            }
        )
        codes = {(p.where, p.code) for p in problems}
        assert ("steps[0]", "bad_reject") in codes  # back to a later step
        assert ("steps[1].branches[0]", "bad_goto") in codes  # a loop
        duplicated = check({"steps": [approval("a", users(1)), approval("a", users(1))]})
        assert [(p.where, p.code) for p in duplicated] == [("steps[1]", "duplicate_key")]

    def test_approvers_and_modes_are_checked(self):
        problems = check(
            {
                "steps": [
                    approval("a", [{"type": "role"}]),
                    approval("b", [], mode="n_of_m"),
                    approval("c", [{"type": "astrologer"}], mode="most"),
                ]
            }
        )
        codes = {(p.where, p.code) for p in problems}
        assert {("steps[0].approvers[0]", "bad_approver"), ("steps[1].approvers", "no_approvers")} <= codes
        assert {
            ("steps[1]", "bad_mode"),
            ("steps[2]", "bad_mode"),
            ("steps[2].approvers[0]", "bad_approver"),
        } <= codes

    def test_the_seed_cases_are_publishable(self):
        assert check(HOSPITAL) == []
        assert check(PURCHASE) == []


HOSPITAL = {
    "steps": [
        approval("leader", [{"type": "requester_head", "levels": 1}], name={"zh": "直接领导审批"}),
        approval("desk_leader", [{"type": "role", "code": "dispatcher"}], name={"zh": "维修班组长审批"}),
    ]
}
PURCHASE = {
    "steps": [
        approval("head", [{"type": "requester_head", "levels": 1}]),
        {
            "key": "size",
            "kind": "branch",
            "branches": [{"when": {"field": "amount", "op": "gt", "value": 5000}, "goto": "division"}],
            "otherwise": "end",
        },
        approval("division", [{"type": "requester_head", "levels": 2}]),
        approval("director", [{"type": "role", "code": "tenant_admin"}], fallback="fail"),
    ]
}


class TestRunning:
    def test_the_hospital_case_two_pre_approvals(self, tenants, in_tenant, org, flow, outcomes):
        workflow = flow(HOSPITAL)
        with in_tenant(tenants.a):
            instance = begin(workflow, org["nurse"])
            assert [t.assignee_id for t in pending(instance)] == [org["wang"].pk]  # her department's head
            decide(instance, org["wang"])
            assert [t.assignee_id for t in pending(instance)] == [org["zhao"].pk]  # the desk
            decide(instance, org["zhao"])
            instance.refresh_from_db()
            assert instance.status == Instance.Status.APPROVED
            kinds = list(instance.log.values_list("kind", flat=True))
            assert kinds == ["started", "waiting", "approved", "waiting", "approved", "approved"]
        assert outcomes == [(1, "approved")]

    def test_amount_branch_and_heads_up_the_tree(self, tenants, in_tenant, org, flow):
        workflow = flow(PURCHASE)
        with in_tenant(tenants.a):
            small = begin(workflow, org["nurse"], subject_id=1, amount=800)
            decide(small, org["wang"])
            small.refresh_from_db()
            assert small.status == Instance.Status.APPROVED  # under 5,000: the head is enough
            big = begin(workflow, org["nurse"], subject_id=2, amount=12000)
            decide(big, org["wang"])
            assert [t.assignee_id for t in pending(big)] == [org["li"].pk]  # the head one level up
            decide(big, org["li"])
            assert [t.assignee_id for t in pending(big)] == [org["admin"].pk]

    def test_countersign_needs_everyone(self, tenants, in_tenant, org, flow):
        signers = [org[f"s{i}"] for i in range(3)]
        workflow = flow({"steps": [approval("all", users(*[s.pk for s in signers]), mode="all")]})
        with in_tenant(tenants.a):
            instance = begin(workflow, org["nurse"])
            decide(instance, signers[0])
            decide(instance, signers[1])
            instance.refresh_from_db()
            assert instance.status == Instance.Status.RUNNING and len(pending(instance)) == 1
            decide(instance, signers[2])
            instance.refresh_from_db()
            assert instance.status == Instance.Status.APPROVED
            second = begin(workflow, org["nurse"], subject_id=2)
            decide(second, signers[0])
            decide(second, signers[1], approve=False)  # one no is enough to refuse
            second.refresh_from_db()
            assert second.status == Instance.Status.REJECTED and pending(second) == []

    def test_or_sign_needs_one_and_the_others_are_told(self, tenants, in_tenant, org, flow):
        signers = [org[f"s{i}"] for i in range(3)]
        workflow = flow({"steps": [approval("any", users(*[s.pk for s in signers]), mode="any")]})
        with in_tenant(tenants.a):
            instance = begin(workflow, org["nurse"])
            late = Task.objects.get(instance=instance, assignee=signers[2])
            decide(instance, signers[1])
            instance.refresh_from_db()
            assert instance.status == Instance.Status.APPROVED
            with pytest.raises(actions.WorkflowError) as refused:
                actions.decide(late, actor=signers[2], approve=False)
            assert refused.value.code == "already_decided"

    def test_n_of_m(self, tenants, in_tenant, org, flow):
        signers = [org[f"s{i}"] for i in range(4)]
        workflow = flow({"steps": [approval("two", users(*[s.pk for s in signers]), mode="n_of_m", n=2)]})
        with in_tenant(tenants.a):
            yes = begin(workflow, org["nurse"], subject_id=1)
            decide(yes, signers[0], approve=False)
            decide(yes, signers[1])
            yes.refresh_from_db()
            assert yes.status == Instance.Status.RUNNING
            decide(yes, signers[2])
            yes.refresh_from_db()
            assert yes.status == Instance.Status.APPROVED
            no = begin(workflow, org["nurse"], subject_id=2)
            for signer in signers[:2]:
                decide(no, signer, approve=False)
            no.refresh_from_db()
            assert no.status == Instance.Status.RUNNING  # two may still say yes
            decide(no, signers[2], approve=False)
            no.refresh_from_db()
            assert no.status == Instance.Status.REJECTED  # now two yeses are impossible

    def test_fallbacks_when_nobody_is_found(self, tenants, in_tenant, org, flow):
        with in_tenant(tenants.a):
            Workgroup.objects.create(code="empty", name="空组")
        nobody = [{"type": "workgroup", "code": "empty"}]
        skip = flow({"steps": [approval("a", nobody, fallback="skip")]}, code="skip")
        admin = flow({"steps": [approval("a", nobody, fallback="admin")]}, code="admin")
        fail = flow({"steps": [approval("a", nobody, fallback="fail")]}, code="fail")
        with in_tenant(tenants.a):
            assert begin(skip, org["nurse"], subject_id=1).status == Instance.Status.APPROVED
            waiting = begin(admin, org["nurse"], subject_id=2)
            assert [t.assignee_id for t in pending(waiting)] == [org["admin"].pk]
            failed = begin(fail, org["nurse"], subject_id=3)
            assert failed.status == Instance.Status.FAILED and "a" in failed.reason

    def test_rejection_back_to_an_earlier_step_starts_a_new_round(self, tenants, in_tenant, org, flow):
        workflow = flow(
            {
                "steps": [
                    approval("first", users(org["s0"].pk)),
                    approval("second", users(org["s1"].pk), on_reject="first"),
                ]
            }
        )
        with in_tenant(tenants.a):
            instance = begin(workflow, org["nurse"])
            decide(instance, org["s0"])
            decide(instance, org["s1"], approve=False)
            instance.refresh_from_db()
            assert instance.status == Instance.Status.RUNNING and instance.step_key == "first"
            assert [(t.assignee_id, t.round) for t in pending(instance)] == [(org["s0"].pk, 3)]

    def test_withdraw_only_before_anyone_acts(self, tenants, in_tenant, org, flow, outcomes):
        workflow = flow(HOSPITAL)
        with in_tenant(tenants.a):
            first = begin(workflow, org["nurse"], subject_id=1)
            with pytest.raises(PermissionDenied):
                actions.withdraw(first, actor=org["wang"])
            actions.withdraw(first, actor=org["nurse"])
            first.refresh_from_db()
            assert first.status == Instance.Status.WITHDRAWN and pending(first) == []
            second = begin(workflow, org["nurse"], subject_id=2)
            decide(second, org["wang"])
            with pytest.raises(actions.WorkflowError) as refused:
                actions.withdraw(second, actor=org["nurse"])
            assert refused.value.code == "acted_on"
        assert outcomes == [(1, "withdrawn")]

    def test_not_yours_twice_and_one_running_per_subject(self, tenants, in_tenant, org, flow):
        workflow = flow(HOSPITAL)
        with in_tenant(tenants.a):
            instance = begin(workflow, org["nurse"])
            task = pending(instance)[0]
            with pytest.raises(PermissionDenied):
                actions.decide(task, actor=org["li"], approve=True)
            actions.decide(task, actor=org["wang"], approve=True)
            with pytest.raises(actions.WorkflowError) as twice:
                actions.decide(task, actor=org["wang"], approve=True)
            assert twice.value.code == "already_decided"
            with pytest.raises(actions.WorkflowError) as again:
                begin(workflow, org["nurse"])
            assert again.value.code == "already_running"

    def test_running_instances_keep_their_version(self, tenants, in_tenant, org, flow):
        workflow = flow(HOSPITAL)
        with in_tenant(tenants.a):
            instance = begin(workflow, org["nurse"])
            workflow.draft = {"steps": [approval("only", users(org["s0"].pk))]}
            workflow.save()
            actions.publish(workflow)
            decide(instance, org["wang"])
            assert [t.assignee_id for t in pending(instance)] == [org["zhao"].pk]  # v1's second step

    def test_preview_shows_the_path_and_the_people(self, tenants, in_tenant, org):
        with in_tenant(tenants.a):
            path = actions.preview(PURCHASE, requester=org["nurse"], context={"amount": 9000})
        assert [(p["step"], p.get("people"), p.get("goto")) for p in path] == [
            ("head", [org["wang"].pk], None),
            ("size", None, "division"),
            ("division", [org["li"].pk], None),
            ("director", [org["admin"].pk], None),
        ]


@st.composite
def random_flow(draw, people):
    count = draw(st.integers(1, 5))
    keys = [f"s{i}" for i in range(count)]
    steps = []
    for index, key in enumerate(keys):
        if index < count - 1 and draw(st.integers(0, 3)) == 0:
            steps.append(
                {
                    "key": key,
                    "kind": "branch",
                    "branches": [
                        {
                            "when": {"field": "amount", "op": "gt", "value": draw(st.integers(0, 10))},
                            "goto": draw(st.sampled_from([*keys[index + 1 :], "end"])),
                        }
                    ],
                    "otherwise": draw(st.sampled_from([*keys[index + 1 :], "end"])),
                }
            )
            continue
        chosen = draw(st.lists(st.sampled_from(people), min_size=0, max_size=3, unique=True))
        mode = draw(st.sampled_from(["one", "any", "all", "n_of_m"]))
        earlier = [k for k, s in zip(keys[:index], steps, strict=False) if s["kind"] == "approval"]
        step = approval(
            key,
            users(*chosen) or [{"type": "workgroup", "code": "nobody"}],
            mode=mode,
            fallback=draw(st.sampled_from(["skip", "admin", "fail"])),
            on_reject=draw(st.sampled_from(["requester", *earlier])),
        )
        if mode == "n_of_m":
            step["n"] = draw(st.integers(1, 3))
        steps.append(step)
    return {"steps": steps}


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(data=st.data())
def test_random_flows_never_get_stuck(tenants, in_tenant, org, data):
    """Whatever the definition and the decisions, an instance either waits for someone or has
    ended — and ends within a bounded number of decisions (rejections back count as rounds)."""
    people = [org[f"s{i}"].pk for i in range(4)]
    definition = data.draw(random_flow(people))
    assert check(definition) == [], definition
    with in_tenant(tenants.a):
        Instance.objects.all().delete()
        WorkflowDefinition.objects.update(current_version=None)
        WorkflowDefinition.objects.all().delete()
        workflow = WorkflowDefinition.objects.create(code="random", name="随机", draft=definition)
        actions.publish(workflow)
        workflow.refresh_from_db()
        instance = begin(workflow, org["nurse"], amount=data.draw(st.integers(0, 10)))
        for _turn in range(60):
            instance.refresh_from_db()
            waiting = pending(instance)
            if instance.status != Instance.Status.RUNNING:
                assert waiting == []
                break
            assert waiting, f"running without anyone to act: {definition}"
            task = data.draw(st.sampled_from(waiting))
            # Rejections are drawn less often so that flows with loops back also finish.
            actions.decide(task, actor=task.assignee, approve=data.draw(st.integers(0, 3)) > 0)
        instance.refresh_from_db()
        if instance.status == Instance.Status.RUNNING:
            assert pending(instance)  # still someone's turn: never stuck
