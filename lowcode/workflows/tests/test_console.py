"""Console: the workflow list leads to the design page; drafts are checked, published, and
dry-run ("who would approve this?"); only people who may change workflows get in."""

import json

import pytest

from lowcode.workflows.models import WorkflowDefinition
from lowcode.workflows.tests.helpers import approval, users

pytestmark = pytest.mark.django_db


def test_list_design_check_publish_and_preview(tenants, in_tenant, client_for, tenant_admin, org):
    admin = client_for(tenants.a, user=tenant_admin(tenants.a))
    with in_tenant(tenants.a):
        seed = WorkflowDefinition.objects.get(code="purchase-three-level")
    listed = admin.get("/console/workflows/definitions/").content.decode()
    assert f"/console/workflows/definitions/{seed.pk}/design/" in listed

    response = admin.post(
        "/console/workflows/definitions/new/", {"code": "moves", "name": "搬迁审批", "name_en": ""}
    )
    assert response.status_code == 302
    with in_tenant(tenants.a):
        workflow = WorkflowDefinition.objects.get(code="moves")
    url = f"/console/workflows/definitions/{workflow.pk}/design/"

    # A draft with a backward branch is saved, but cannot be published, and says why.
    bad = {
        "steps": [
            approval("a", users(org["s0"].pk)),
            {
                "key": "b",
                "kind": "branch",
                "branches": [{"when": {"field": "x", "op": "empty"}, "goto": "a"}],
            },
        ]
    }
    admin.post(url, {"draft": json.dumps(bad), "then": "publish"})
    page = admin.get(url).content.decode()
    assert "steps[1].branches[0]" in page and 'id="workflow-problems"' in page
    with in_tenant(tenants.a):
        assert WorkflowDefinition.objects.get(pk=workflow.pk).current_version is None

    # Not JSON: refused, the last draft kept.
    assert "JSON" in admin.post(url, {"draft": "{nope", "then": "save"}, follow=True).content.decode()

    good = {"steps": [approval("head", [{"type": "requester_head", "levels": 1}])]}
    admin.post(url, {"draft": json.dumps(good), "then": "publish"})
    with in_tenant(tenants.a):
        assert WorkflowDefinition.objects.get(pk=workflow.pk).current_version.number == 1

    preview = admin.post(
        url, {"draft": json.dumps(good), "then": "preview", "requester": org["nurse"].pk, "sample": "{}"}
    )
    html = preview.content.decode()
    assert 'id="workflow-path"' in html and "wang" in html  # the nurse's department head


def test_people_who_may_not_change_workflows_get_no_design_page(tenants, in_tenant, client_for, org):
    with in_tenant(tenants.a):
        seed = WorkflowDefinition.objects.get(code="repair-preapproval")
    dispatcher = client_for(tenants.a, user=org["zhao"])
    response = dispatcher.get(f"/console/workflows/definitions/{seed.pk}/design/")
    # The console turns a refusal into a return to its home page, with a message.
    assert (response.status_code, response.get("Location")) in ((403, None), (302, "/console/"))
    assert "workflow-draft" not in response.content.decode()


def test_the_console_inbox_lists_what_waits_for_me(tenants, in_tenant, client_for, org, flow):
    """For people who work in the console (the desk); approvers without console access use the portal."""
    from lowcode.workflows.models import Task
    from lowcode.workflows.tests.helpers import begin

    workflow = flow({"steps": [approval("a", users(org["zhao"].pk))]})
    with in_tenant(tenants.a):
        begin(workflow, org["nurse"], subject_id=1)
        begin(workflow, org["nurse"], subject_id=2)
        tasks = list(Task.objects.filter(assignee=org["zhao"]))
    html = client_for(tenants.a, user=org["zhao"]).get("/console/workflows/inbox/").content.decode()
    assert all(f"/workflows/tasks/{task.pk}/" in html for task in tasks) and len(tasks) == 2
    other = client_for(tenants.a, user=org["admin"]).get("/console/workflows/inbox/").content.decode()
    assert 'id="inbox"' in other
    assert not any(f"/workflows/tasks/{task.pk}/" in other for task in tasks)
