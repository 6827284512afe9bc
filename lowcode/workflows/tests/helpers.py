"""Small helpers of the workflow tests (fixtures are in conftest.py)."""

from lowcode.workflows import actions
from lowcode.workflows.models import Task

SUBJECT = "probe.request"


def approval(key, approvers, mode="one", **more):
    return {"key": key, "kind": "approval", "mode": mode, "approvers": approvers, **more}


def users(*pks):
    return [{"type": "user", "id": pk} for pk in pks]


def begin(workflow, requester, subject_id=1, **context):
    return actions.start(
        workflow, subject_type=SUBJECT, subject_id=subject_id, requester=requester, context=context
    )


def pending(instance):
    return list(Task.objects.filter(instance=instance, status=Task.Status.PENDING).order_by("assignee_id"))


def decide(instance, who, approve=True):
    task = Task.objects.get(instance=instance, assignee=who, status=Task.Status.PENDING)
    return actions.decide(task, actor=who, approve=approve)
