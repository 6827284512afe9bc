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


def _json_script(html: str, element_id: str):
    import re

    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S)
    assert match, element_id
    return json.loads(match.group(1))


def test_the_designer_gets_this_organisations_choices_and_words(
    tenants, in_tenant, client_for, tenant_admin, org, person
):
    """people, roles, workgroups and departments for the approver inputs, read in the tenant's
    schema: another organisation's people and workgroups never show."""
    from identity.models import Workgroup
    from lowcode.forms.conditions import OPERATORS
    from lowcode.workflows import definition as defs

    with in_tenant(tenants.a):
        Workgroup.objects.create(code="night_shift", name="夜班")
        seed = WorkflowDefinition.objects.get(code="purchase-three-level")
    person(tenants.b, "only_in_b", "end_user")
    with in_tenant(tenants.b):
        Workgroup.objects.create(code="b_only_group", name="乙组")

    html = client_for(tenants.a, user=tenant_admin(tenants.a)).get(
        f"/console/workflows/definitions/{seed.pk}/design/"
    )
    html = html.content.decode()
    assert 'data-workflow-designer="workflow-draft"' in html and 'id="workflow-draft"' in html
    choices = _json_script(html, "workflow-designer-choices")
    usernames = {p["username"] for p in choices["people"]}
    assert {"nurse", "wang", "admin@ta.test"} <= usernames and "only_in_b" not in usernames
    assert {"id": org["wang"].pk, "name": "wang", "username": "wang"} in choices["people"]
    assert {"code": "approver", "name": "审批人"} in choices["roles"]  # the organisation's language
    assert [w["code"] for w in choices["workgroups"]] == ["night_shift"]
    departments = {d["id"]: d for d in choices["departments"]}
    assert departments[org["ortho"].pk]["name"] == "骨科"
    assert departments[org["ortho"].pk]["depth"] == departments[org["medical"].pk]["depth"] + 1
    words = _json_script(html, "workflow-designer-messages")
    assert words["addStep"] and set(words["approverTypes"]) == defs.APPROVER_TYPES
    assert set(words["operators"]) == OPERATORS and set(words["kinds"]) == defs.KINDS
    assert _json_script(html, "workflow-designer-problems") == []


def test_a_seed_template_is_copied_from_the_list(tenants, in_tenant, client_for, tenant_admin, person):
    admin = client_for(tenants.a, user=tenant_admin(tenants.a))
    with in_tenant(tenants.a):
        seed = WorkflowDefinition.objects.get(code="repair-preapproval")
    assert (
        f"/console/workflows/definitions/{seed.pk}/copy/"
        in admin.get("/console/workflows/definitions/").content.decode()
    )
    url = f"/console/workflows/definitions/{seed.pk}/copy/"
    assert "repair-preapproval-copy" in admin.get(url).content.decode()
    # A taken code: said next to the field, nothing made.
    page = admin.post(url, {"code": "purchase-three-level", "name": "x"})
    assert page.status_code == 200 and "error-message" in page.content.decode()
    response = admin.post(url, {"code": "our-repair", "name": "本院维修预审批", "name_en": ""})
    with in_tenant(tenants.a):
        made = WorkflowDefinition.objects.get(code="our-repair")
        assert made.current_version is None and made.draft == seed.current_version.definition
    assert response["Location"] == f"/console/workflows/definitions/{made.pk}/design/"
    # Someone who may not add workflows cannot copy.
    staff = client_for(tenants.a, user=person(tenants.a, "clerk", "dispatcher"))
    assert staff.get(url).status_code in (302, 403)
    with in_tenant(tenants.a):
        assert WorkflowDefinition.objects.filter(code="our-repair").count() == 1
