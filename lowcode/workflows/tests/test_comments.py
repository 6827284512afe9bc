"""Comments with attachments (portal and API), the request page, `myRequests`, and that none
of it reaches another tenant or someone not taking part."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from kernel.context import tenant_schema
from lowcode.forms.tests.test_pages import png_bytes
from lowcode.workflows import actions
from lowcode.workflows.models import Instance, LogEntry, Task
from lowcode.workflows.tests.helpers import approval, begin, users
from tests.api.helpers import far_ids, gid
from tests.fixtures import host

pytestmark = pytest.mark.django_db


def portal(tenant, user):
    client = Client(HTTP_HOST=host(tenant))
    with tenant_schema(tenant.schema_name):
        client.force_login(user)
    return client


def photo(name="漏水.png"):
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def stored(in_tenant, tenant) -> set[str]:
    with in_tenant(tenant):
        try:
            return set(default_storage.listdir(actions.ATTACHMENT_PREFIX.rstrip("/"))[1])
        except FileNotFoundError:
            return set()


@pytest.fixture
def running(tenants, in_tenant, org, flow):
    """A request of the nurse waiting for 王主任 (then 李部长)."""
    workflow = flow(
        {"steps": [approval("head", users(org["wang"].pk)), approval("division", users(org["li"].pk))]}
    )
    with in_tenant(tenants.a):
        instance = begin(workflow, org["nurse"])
        task = Task.objects.get(instance=instance, assignee=org["wang"])
    return {"instance": instance, "task": task}


def test_decide_with_a_photo_and_see_it_in_the_history(tenants, in_tenant, org, running):
    wang = portal(tenants.a, org["wang"])
    task = running["task"]
    response = wang.post(
        f"/workflows/tasks/{task.pk}/",
        {"decision": "approve", "comment": "同意，附现场照片", "files": [photo()]},
    )
    assert response.status_code == 302
    with in_tenant(tenants.a):
        entry = LogEntry.objects.get(instance=running["instance"], kind="approved")
        (attachment,) = entry.data["attachments"]
        assert attachment["name"] == "漏水.png" and attachment["type"] == "image/png"
        assert attachment["key"].startswith("workflows/attachments/") and attachment["key"].endswith(".png")
        assert default_storage.exists(attachment["key"])
    # The requester reads it on the request page, with a link that serves the file.
    nurse = portal(tenants.a, org["nurse"])
    page = nurse.get(f"/workflows/requests/{running['instance'].pk}/").content.decode()
    assert "同意，附现场照片" in page and "漏水.png" in page
    link = page.split('href="/files/', 1)[1].split('"', 1)[0]
    served = nurse.get(f"/files/{link}")
    assert served.status_code == 200 and b"".join(served.streaming_content) == png_bytes()


def test_a_bad_file_refuses_the_whole_decision(tenants, in_tenant, org, running):
    wang = portal(tenants.a, org["wang"])
    task = running["task"]
    before = stored(in_tenant, tenants.a)
    fake = SimpleUploadedFile(
        "report.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf"
    )
    response = wang.post(
        f"/workflows/tasks/{task.pk}/", {"decision": "approve", "comment": "同意", "files": [photo(), fake]}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "report.pdf" in html  # the message names the file
    with in_tenant(tenants.a):
        assert Task.objects.get(pk=task.pk).status == Task.Status.PENDING
        assert not LogEntry.objects.filter(instance=running["instance"], kind="approved").exists()
    assert stored(in_tenant, tenants.a) == before  # not even the good photo was kept

    too_many = [photo(f"{i}.png") for i in range(actions.MAX_ATTACHMENTS + 1)]
    response = wang.post(f"/workflows/tasks/{task.pk}/", {"decision": "approve", "files": too_many})
    assert response.status_code == 200
    with in_tenant(tenants.a):
        assert Task.objects.get(pk=task.pk).status == Task.Status.PENDING
    assert stored(in_tenant, tenants.a) == before


def test_a_refused_decision_keeps_no_file(tenants, in_tenant, org, running):
    """The files are stored, then the decision is refused (someone decided first): they go."""
    with in_tenant(tenants.a):
        actions.decide(running["task"], actor=org["wang"], approve=True)
    before = stored(in_tenant, tenants.a)
    with in_tenant(tenants.a), pytest.raises(actions.WorkflowError) as refused:
        actions.with_attachments(
            [photo()],
            actor=org["wang"],
            then=lambda refs: actions.decide(
                running["task"], actor=org["wang"], approve=True, attachments=refs
            ),
        )
    assert refused.value.code == "already_decided"
    assert stored(in_tenant, tenants.a) == before


def test_comments_on_the_request_page(tenants, in_tenant, org, running, person):
    instance = running["instance"]
    nurse = portal(tenants.a, org["nurse"])
    url = f"/workflows/requests/{instance.pk}/"
    page = nurse.get(url).content.decode()
    assert 'id="request-actions"' in page and "wang" in page  # waiting for 王主任
    response = nurse.post(url, {"do": "comment", "comment": "补充：三楼东侧", "files": [photo("位置.png")]})
    assert response.status_code == 302
    # Nothing to say: refused with a message, nothing written.
    response = nurse.post(url, {"do": "comment", "comment": "  "})
    said = response.content.decode()
    assert response.status_code == 200 and (
        "Write a comment or attach a file." in said or "请填写意见或添加附件" in said
    )
    with in_tenant(tenants.a):
        comments = list(LogEntry.objects.filter(instance=instance, kind="commented"))
        assert [c.comment for c in comments] == ["补充：三楼东侧"]
        assert comments[0].data["attachments"][0]["name"] == "位置.png"
        # 王主任, who is waiting, is told (through the outbox).
        from kernel.models import OutboxEvent

        told = OutboxEvent.objects.filter(topic="notification.requested").order_by("-pk").first()
        assert told.payload["kind"] == "workflows.comment" and told.payload["recipients"] == [org["wang"].pk]
    # The approver sees it on the task page and can answer there.
    wang = portal(tenants.a, org["wang"])
    assert "补充：三楼东侧" in wang.get(f"/workflows/tasks/{running['task'].pk}/").content.decode()
    assert wang.post(url, {"do": "comment", "comment": "收到"}).status_code == 302
    # Someone not taking part sees nothing and cannot comment.
    outsider = person(tenants.a, "outsider", "approver")
    client = portal(tenants.a, outsider)
    assert client.get(url).status_code == 404
    assert client.post(url, {"do": "comment", "comment": "路过"}).status_code == 404
    with in_tenant(tenants.a):
        assert LogEntry.objects.filter(instance=instance, kind="commented").count() == 2
        with pytest.raises(actions.PermissionDenied):
            actions.comment(instance, actor=outsider, text="路过")
    # The requester urges and withdraws from the page; the approver cannot withdraw.
    assert wang.post(url, {"do": "withdraw"}).status_code == 200
    assert nurse.post(url, {"do": "urge"}).status_code == 302
    assert nurse.post(url, {"do": "withdraw"}).status_code == 302
    with in_tenant(tenants.a):
        assert Instance.objects.get(pk=instance.pk).status == Instance.Status.WITHDRAWN
    page = nurse.get(url).content.decode()
    assert "Withdrawn by the requester" in page or "撤回" in page


def test_my_requests_and_comments_in_the_api(tenants, in_tenant, org, running, api, person):
    instance = running["instance"]
    nurse, wang = api(tenants.a, user=org["nurse"]), api(tenants.a, user=org["wang"])
    listed = nurse(
        "{ myRequests(first: 5) { totalCount edges { node { id workflow version status step waitingFor"
        " history { kind label actor } } } } }"
    )
    assert "errors" not in listed, listed
    assert listed["data"]["myRequests"]["totalCount"] == 1
    node = listed["data"]["myRequests"]["edges"][0]["node"]
    assert (node["status"], node["step"], node["version"]) == ("RUNNING", "head", 1)
    assert node["waitingFor"] == [org["wang"].full_name or org["wang"].username]
    assert [h["kind"] for h in node["history"]] == ["started", "waiting"]
    request_id = node["id"]
    assert request_id == gid("WorkflowRequest", instance.pk)

    comment = "mutation($r: ID!, $c: String!) { commentRequest(request: $r, comment: $c) { result { history { kind comment } } errors { field code } } }"
    done = wang(comment, {"r": request_id, "c": "请补充照片"})["data"]["commentRequest"]
    assert done["errors"] == [] and done["result"]["history"][-1] == {
        "kind": "commented",
        "comment": "请补充照片",
    }
    empty = wang(comment, {"r": request_id, "c": " "})["data"]["commentRequest"]
    assert empty["errors"] == [{"field": "comment", "code": "INVALID"}]
    # The approver reaches the request from the task; myRequests stays the requester's own.
    via_task = wang("{ myTasks(first: 1) { edges { node { request { id status } } } } }")
    assert via_task["data"]["myTasks"]["edges"][0]["node"]["request"] == {
        "id": request_id,
        "status": "RUNNING",
    }
    assert wang("{ myRequests(first: 5) { totalCount } }")["data"]["myRequests"]["totalCount"] == 0
    # Someone not taking part: not found, by node and by mutation.
    outsider = api(tenants.a, user=person(tenants.a, "outsider", "tenant_admin"))
    assert outsider("query($id: ID!) { node(id: $id) { id } }", {"id": request_id})["data"]["node"] is None
    refused = outsider(comment, {"r": request_id, "c": "路过"})["data"]["commentRequest"]
    assert refused["errors"] == [{"field": "request", "code": "NOT_FOUND"}]
    with in_tenant(tenants.a):
        assert LogEntry.objects.filter(instance=instance, kind="commented").count() == 1


def test_another_tenant_reaches_no_request_task_or_file(tenants, in_tenant, org, flow, person, api):
    """B's people, whatever their role, find none of A's requests, tasks or attachments — by
    page, API id or file link — though A's ids are far above B's own."""
    far_ids(tenants.a, "lowcode_workflows_instance", "lowcode_workflows_task")
    workflow = flow({"steps": [approval("head", users(org["wang"].pk))]}, code="isolated")
    with in_tenant(tenants.a):
        instance = begin(workflow, org["nurse"], subject_id=77)
        task = Task.objects.get(instance=instance)
        refs = actions.store_attachments([photo("甲机密.png")], actor=org["nurse"])
        actions.comment(instance, actor=org["nurse"], text="甲医院机密", attachments=refs)
    assert instance.pk >= 1_000_000 and task.pk >= 1_000_000
    a_page = portal(tenants.a, org["nurse"]).get(f"/workflows/requests/{instance.pk}/").content.decode()
    assert "甲医院机密" in a_page  # A's own page shows it: the checks below can fail
    file_link = a_page.split('href="/files/', 1)[1].split('"', 1)[0]

    b_admin = person(tenants.b, "b-admin", "tenant_admin")
    b = portal(tenants.b, b_admin)
    assert b.get(f"/workflows/requests/{instance.pk}/").status_code == 404
    assert b.post(f"/workflows/requests/{instance.pk}/", {"do": "comment", "comment": "x"}).status_code == 404
    assert b.get(f"/workflows/tasks/{task.pk}/").status_code == 404
    assert b.get(f"/files/{file_link}").status_code == 404
    b_api = api(tenants.b, user=b_admin)
    for type_name, pk in (("WorkflowRequest", instance.pk), ("WorkflowTask", task.pk)):
        found = b_api("query($id: ID!) { node(id: $id) { id } }", {"id": gid(type_name, pk)})
        assert found["data"]["node"] is None
    refused = b_api(
        'mutation($r: ID!) { commentRequest(request: $r, comment: "x") { errors { code } } }',
        {"r": gid("WorkflowRequest", instance.pk)},
    )
    assert refused["data"]["commentRequest"]["errors"] == [{"code": "NOT_FOUND"}]
    decided = b_api(
        "mutation($t: ID!) { decideTask(task: $t, approve: true) { errors { code } } }",
        {"t": gid("WorkflowTask", task.pk)},
    )
    assert decided["data"]["decideTask"]["errors"] == [{"code": "NOT_FOUND"}]
    keyed = api(tenants.b, role="tenant_admin")
    assert keyed("{ myTasks(first: 5) { totalCount } myRequests(first: 5) { totalCount } }")["data"] == {
        "myTasks": {"totalCount": 0},
        "myRequests": {"totalCount": 0},
    }
    with in_tenant(tenants.a):
        assert Task.objects.get(pk=task.pk).status == Task.Status.PENDING
        assert LogEntry.objects.filter(instance=instance, kind="commented").count() == 1
