"""Work done by jobs is recorded on behalf of whoever sent the job (committed data, real worker)."""

from kernel.models import AuditEntry


def test_jobs_record_on_behalf_of_their_sender(tenants, in_tenant, committed_db):
    from kernel.context import actor_var, bound
    from tests.fixtures import drain, running_worker
    from tests.probe_module import tasks

    actions_module = __import__("tenants.actions", fromlist=["set_module_enabled"])
    actions_module.set_module_enabled(tenants.a, "probe", True)
    token = actor_var.set((42, "dispatcher-li"))
    try:
        with in_tenant(tenants.a), bound(request_id="req-job-0000001"):
            tasks.record.send("BY-JOB")
    finally:
        actor_var.reset(token)
    with running_worker() as broker:
        drain(broker)
    with in_tenant(tenants.a):
        entry = AuditEntry.objects.get(table_name="spaces_campus", action="insert", after__code="BY-JOB")
    assert entry.actor_id == 42 and entry.actor_label == "dispatcher-li (job probe.record)"
    assert entry.request_id == "req-job-0000001"
