"""Two approvers act at the same moment on an or-sign step: one wins, the other is told.

Real threads, real transactions (`committed_db`); the people and rows made here are removed
afterwards (identity tables are not emptied between tests).
"""

from __future__ import annotations

import threading

from django.db import connection

from identity.models import User
from kernel.context import tenant_schema
from lowcode.workflows import actions
from lowcode.workflows.models import Instance, Task, WorkflowDefinition


def test_two_approvers_at_once_on_an_or_sign_step(tenants, in_tenant, person, committed_db):
    signers = [person(tenants.a, f"race{i}", "end_user") for i in range(2)]
    requester = person(tenants.a, "race-requester", "end_user")
    try:
        with in_tenant(tenants.a):
            workflow = WorkflowDefinition.objects.create(
                code="race",
                name="并发",
                draft={
                    "steps": [
                        {
                            "key": "any",
                            "kind": "approval",
                            "mode": "any",
                            "approvers": [{"type": "user", "id": s.pk} for s in signers],
                        }
                    ]
                },
            )
            actions.publish(workflow)
            workflow.refresh_from_db()
            instance = actions.start(
                workflow, subject_type="probe.request", subject_id=99, requester=requester, context={}
            )
            tasks = {t.assignee_id: t for t in Task.objects.filter(instance=instance)}
        barrier = threading.Barrier(2)
        results = {}

        def act(who):
            try:
                with tenant_schema("ta"):
                    barrier.wait()
                    actions.decide(tasks[who.pk], actor=who, approve=True)
                    results[who.pk] = "done"
            except actions.WorkflowError as exc:
                results[who.pk] = exc.code
            finally:
                connection.close()

        threads = [threading.Thread(target=act, args=(signer,)) for signer in signers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(results.values()) == ["already_decided", "done"]
        with in_tenant(tenants.a):
            assert Instance.objects.get(pk=instance.pk).status == Instance.Status.APPROVED
            assert Task.objects.filter(instance=instance, status=Task.Status.APPROVED).count() == 1
    finally:
        with in_tenant(tenants.a):
            Instance.objects.filter(subject_type="probe.request", subject_id=99).delete()
            WorkflowDefinition.objects.filter(code="race").update(current_version=None)
            WorkflowDefinition.objects.filter(code="race").delete()
            User.objects.filter(username__startswith="race").delete()
