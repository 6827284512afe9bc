"""A form that requires a workflow: each submission goes through it; the approvers find it in
"my tasks" on the portal, decide there, and the submission learns the outcome."""

import pytest
from django.test import Client

from identity import actions as identity
from identity.defaults import root_department
from identity.models import Department
from kernel.context import tenant_schema
from lowcode.forms import actions as forms
from lowcode.forms.models import FormDefinition, Submission
from lowcode.workflows.models import Instance, Task, WorkflowDefinition
from tests.fixtures import host

pytestmark = pytest.mark.django_db

FORM = {
    "sections": [
        {
            "key": "main",
            "fields": [
                {"key": "title", "type": "text", "label": {"zh": "标题"}, "required": True},
                {"key": "amount", "type": "money", "label": {"zh": "金额"}},
            ],
        }
    ]
}


@pytest.fixture
def setup(tenants, in_tenant, person):
    with in_tenant(tenants.a):
        ward = identity.create_department(Department(code="WARD", name="病区"), parent=root_department())
    head = person(tenants.a, "ward-head", "approver", department=ward)
    desk = person(tenants.a, "desk", "dispatcher")
    nurse = person(tenants.a, "nurse", "end_user", department=ward)
    with in_tenant(tenants.a):
        Department.objects.filter(pk=ward.pk).update(head=head)
        workflow = WorkflowDefinition.objects.get(code="repair-preapproval")  # a seed of every tenant
        form = forms.save_form(FormDefinition(code="repair", name="维修申请", workflow=workflow))
        forms.save_draft(form, FORM)
        forms.publish(form)
        form.refresh_from_db()
    return {"form": form, "head": head, "desk": desk, "nurse": nurse}


def portal(tenant, user):
    client = Client(HTTP_HOST=host(tenant))
    with tenant_schema(tenant.schema_name):
        client.force_login(user)
    return client


def test_the_seed_workflows_are_published_in_every_tenant(tenants, in_tenant):
    for tenant in (tenants.a, tenants.b):
        with in_tenant(tenant):
            codes = set(
                WorkflowDefinition.objects.filter(current_version__isnull=False).values_list(
                    "code", flat=True
                )
            )
            assert {"repair-preapproval", "purchase-three-level"} <= codes


def test_a_submission_goes_through_its_workflow_in_the_portal(tenants, in_tenant, setup):
    with in_tenant(tenants.a):
        submission = forms.submit(setup["form"], {"title": "灯不亮", "amount": 300}, user=setup["nurse"])
        assert Submission.objects.get(pk=submission.pk).approval == "pending"
        instance = Instance.objects.get(subject_type="forms.submission", subject_id=submission.pk)
        assert instance.context == {"title": "灯不亮", "amount": 300, "form": "repair"}
        # The approver is told, with a link that opens the task.
        from kernel.models import OutboxEvent

        told = OutboxEvent.objects.get(topic="notification.requested", payload__kind="workflows.task")
        first = Task.objects.get(instance=instance)
        assert told.payload["recipients"] == [setup["head"].pk]
        assert told.payload["url"] == f"/workflows/tasks/{first.pk}/"

    # The ward's head finds it in "my tasks" and approves it on the portal.
    head = portal(tenants.a, setup["head"])
    listed = head.get("/me/tasks/").content.decode()
    with in_tenant(tenants.a):
        task = Task.objects.get(instance=instance, assignee=setup["head"])
    assert f"/workflows/tasks/{task.pk}/" in listed
    assert (
        head.post(f"/workflows/tasks/{task.pk}/", {"decision": "approve", "comment": "同意"}).status_code
        == 302
    )
    # Nobody else may open it.
    assert portal(tenants.a, setup["nurse"]).get(f"/workflows/tasks/{task.pk}/").status_code == 404

    # Then the desk; a rejection there ends it, and the submission says so.
    with in_tenant(tenants.a):
        task = Task.objects.get(instance=instance, assignee=setup["desk"], status="pending")
    portal(tenants.a, setup["desk"]).post(
        f"/workflows/tasks/{task.pk}/", {"decision": "reject", "comment": "不在范围"}
    )
    with in_tenant(tenants.a):
        assert Submission.objects.get(pk=submission.pk).approval == "rejected"
        assert Instance.objects.get(pk=instance.pk).status == "rejected"
        assert list(Instance.objects.get(pk=instance.pk).log.values_list("kind", flat=True))[-2:] == [
            "rejected",
            "rejected",
        ]
    mine = portal(tenants.a, setup["nurse"]).get(f"/forms/submissions/{submission.pk}/").content.decode()
    assert 'data-approval="rejected"' in mine


def test_another_tenant_never_sees_the_task(tenants, in_tenant, setup, person):
    with in_tenant(tenants.a):
        submission = forms.submit(setup["form"], {"title": "门坏了"}, user=setup["nurse"])
        task = Task.objects.get(instance__subject_id=submission.pk, assignee=setup["head"])
    stranger = person(tenants.b, "b-head", "approver")
    assert portal(tenants.b, stranger).get(f"/workflows/tasks/{task.pk}/").status_code == 404
    with in_tenant(tenants.b):
        assert not Task.objects.filter(pk=task.pk, assignee=setup["head"].pk).exists()


def test_the_api_inbox_and_deciding(tenants, in_tenant, setup, api):
    with in_tenant(tenants.a):
        first = forms.submit(setup["form"], {"title": "水龙头漏水"}, user=setup["nurse"])
        forms.submit(setup["form"], {"title": "窗户坏了"}, user=setup["nurse"])
    head = api(tenants.a, user=setup["head"])
    listed = head(
        "{ myTasks(first: 10) { totalCount edges { node { id workflow step status subjectType subjectId requester } } } }"
    )
    assert "errors" not in listed, listed
    assert listed["data"]["myTasks"]["totalCount"] == 2
    node = next(
        e["node"] for e in listed["data"]["myTasks"]["edges"] if e["node"]["subjectId"] == str(first.pk)
    )
    assert (node["step"], node["status"], node["subjectType"]) == ("leader", "PENDING", "forms.submission")
    decide = 'mutation($t: ID!, $a: Boolean!) { decideTask(task: $t, approve: $a, comment: "好") { result { status } errors { field code } } }'
    assert head(decide, {"t": node["id"], "a": True})["data"]["decideTask"] == {
        "result": {"status": "APPROVED"},
        "errors": [],
    }
    fetched = head(
        "query($id: ID!) { node(id: $id) { ... on WorkflowTask { status kind } } }", {"id": node["id"]}
    )
    assert fetched["data"]["node"] == {"status": "APPROVED", "kind": "DECIDE"}
    again = head(decide, {"t": node["id"], "a": False})["data"]["decideTask"]
    assert again["errors"] == [{"field": None, "code": "ALREADY_DECIDED"}]
    # Someone else's task, or one of another tenant, is not found.
    nurse = api(tenants.a, user=setup["nurse"])
    assert (
        nurse(decide, {"t": node["id"], "a": True})["data"]["decideTask"]["errors"][0]["code"] == "NOT_FOUND"
    )
    assert nurse("{ myTasks(first: 5) { totalCount } }")["data"]["myTasks"]["totalCount"] == 0
    stranger = api(tenants.b, role="tenant_admin")
    assert (
        stranger(decide, {"t": node["id"], "a": True})["data"]["decideTask"]["errors"][0]["code"]
        == "NOT_FOUND"
    )


def test_install_defaults_gives_existing_tenants_new_seeds(tenants, in_tenant):
    from django.core.management import call_command

    with in_tenant(tenants.a):
        WorkflowDefinition.objects.filter(code="purchase-three-level").update(current_version=None)
        WorkflowDefinition.objects.filter(code="purchase-three-level").delete()
    call_command("install_defaults", stdout=None)
    with in_tenant(tenants.a):
        seeded = WorkflowDefinition.objects.get(code="purchase-three-level")
        assert seeded.current_version.number == 1
    call_command("install_defaults")  # again: nothing new
    with in_tenant(tenants.a):
        assert WorkflowDefinition.objects.filter(code="purchase-three-level").count() == 1


def test_the_api_for_the_other_actions(tenants, in_tenant, setup, api, person):
    from tests.api.helpers import gid

    colleague = person(tenants.a, "colleague", "approver")
    with in_tenant(tenants.a):
        first = forms.submit(setup["form"], {"title": "暖气不热"}, user=setup["nurse"])
        task = Task.objects.get(instance__subject_id=first.pk, assignee=setup["head"])
    head, nurse = api(tenants.a, user=setup["head"]), api(tenants.a, user=setup["nurse"])
    task_id = gid("WorkflowTask", task.pk)
    result = "{ result { id status kind } errors { code } }"

    # Nobody has acted: the requester may remind, and may withdraw (tested after on another).
    urge = f'mutation {{ urgeRequest(subjectType: "forms.submission", subjectId: "{first.pk}") {{ reminded errors {{ code }} }} }}'
    assert nurse(urge)["data"]["urgeRequest"] == {"reminded": 1, "errors": []}
    assert nurse(urge)["data"]["urgeRequest"]["errors"] == [{"code": "INVALID"}]  # too soon

    # Someone else's task, for every task mutation: NOT_FOUND, nothing done.
    stolen = nurse(f'mutation {{ returnForInformation(task: "{task_id}", comment: "?") {result} }}')
    assert stolen["data"]["returnForInformation"] == {"result": None, "errors": [{"code": "NOT_FOUND"}]}
    asked = head(f'mutation {{ returnForInformation(task: "{task_id}", comment: "哪一层？") {result} }}')
    assert asked["data"]["returnForInformation"]["result"]["status"] == "RETURNED"
    [mine] = nurse("{ myTasks(first: 5) { edges { node { id kind } } } }")["data"]["myTasks"]["edges"]
    assert mine["node"]["kind"] == "RESPOND"
    answered = nurse(f'mutation {{ answerTask(task: "{mine["node"]["id"]}", comment: "三楼") {result} }}')
    assert answered["data"]["answerTask"]["result"]["status"] == "ANSWERED"

    [again] = head("{ myTasks(first: 5) { edges { node { id } } } }")["data"]["myTasks"]["edges"]
    handed = head(
        f'mutation {{ handOverTask(task: "{again["node"]["id"]}", to: "{gid("User", colleague.pk)}") {result} }}'
    )["data"]["handOverTask"]
    assert handed["errors"] == [] and handed["result"]["status"] == "PENDING"
    other = api(tenants.a, user=colleague)
    taken = other("{ myTasks(first: 5) { totalCount edges { node { id } } } }")["data"]["myTasks"]
    assert taken["totalCount"] == 1
    added = other(
        f'mutation {{ addSigner(task: "{taken["edges"][0]["node"]["id"]}", person: "{gid("User", setup["desk"].pk)}") {result} }}'
    )["data"]["addSigner"]
    assert added["errors"] == []
    with in_tenant(tenants.a):
        assert Task.objects.filter(assignee=setup["desk"], must_approve=True, status="pending").count() == 1

    with in_tenant(tenants.a):
        second = forms.submit(setup["form"], {"title": "门锁坏了"}, user=setup["nurse"])
    withdraw = f'mutation {{ withdrawRequest(subjectType: "forms.submission", subjectId: "{second.pk}") {{ status errors {{ code }} }} }}'
    assert head(withdraw)["data"]["withdrawRequest"]["errors"] == [{"code": "NOT_FOUND"}]  # not the requester
    assert nurse(withdraw)["data"]["withdrawRequest"] == {"status": "withdrawn", "errors": []}
    with in_tenant(tenants.a):
        assert Submission.objects.get(pk=second.pk).approval == "withdrawn"
