"""Jobs carry their tenant into a real dramatiq worker on the real Redis."""

import pytest
from django.db import transaction

from kernel.jobs.middleware import TenantNotSet
from kernel.redis import get_redis
from tenants import actions
from tests.fixtures import drain, running_worker
from tests.probe_module import tasks


def ran_in(key: str) -> list[str]:
    return [value.decode() for value in get_redis().lrange(key, 0, -1)]


def test_job_runs_in_the_schema_it_was_sent_from(tenants, in_tenant, committed_db):
    from modules.spaces.models import Campus

    with in_tenant(tenants.a):
        tasks.where.send("one")
    with in_tenant(tenants.b):
        tasks.where.send("two")
    with running_worker() as broker:
        drain(broker)
    assert ran_in("probe:where:one") == ["ta"]
    assert ran_in("probe:where:two") == ["tb"]
    with in_tenant(tenants.a):
        assert not Campus.objects.exists()


def test_job_writes_land_in_its_tenant_only(tenants, in_tenant, committed_db):
    from modules.spaces.models import Campus

    actions.set_module_enabled(tenants.a, "probe", True)
    with in_tenant(tenants.a):
        tasks.record.send("JOB-A")
    with running_worker() as broker:
        drain(broker)
    assert ran_in("probe:ran:JOB-A") == ["ta"]
    with in_tenant(tenants.a):
        assert Campus.objects.filter(code="JOB-A").count() == 1
    with in_tenant(tenants.b):
        assert not Campus.objects.filter(code="JOB-A").exists()


def test_job_of_a_disabled_module_does_not_run(tenants, in_tenant, committed_db):
    from modules.spaces.models import Campus

    with in_tenant(tenants.b):
        tasks.record.send("JOB-B")  # probe is off for B
    with running_worker() as broker:
        drain(broker)
    assert ran_in("probe:ran:JOB-B") == []
    with in_tenant(tenants.b):
        assert not Campus.objects.filter(code="JOB-B").exists()


def test_job_of_a_suspended_or_deleted_tenant_is_skipped(tenants, in_tenant, committed_db):
    actions.suspend_tenant(tenants.b)
    with in_tenant(tenants.b):
        tasks.where.send("suspended")
    tasks.where.send_to("no_such_tenant", "deleted")
    with running_worker() as broker:
        drain(broker)
    assert ran_in("probe:where:suspended") == []
    assert ran_in("probe:where:deleted") == []


def test_send_on_commit_waits_for_the_transaction(tenants, in_tenant, committed_db):
    with in_tenant(tenants.a):
        with transaction.atomic():
            tasks.where.send_on_commit("committed")
        try:
            with transaction.atomic():
                tasks.where.send_on_commit("rolled-back")
                raise RuntimeError("abort")
        except RuntimeError:
            pass
    with running_worker() as broker:
        drain(broker)
    assert ran_in("probe:where:committed") == ["ta"]
    assert ran_in("probe:where:rolled-back") == []


@pytest.mark.django_db
def test_tenant_job_sent_from_the_public_schema_is_refused(tenants):
    with pytest.raises(TenantNotSet):
        tasks.where.send("nowhere")


def test_request_id_travels_with_the_job(tenants, in_tenant, committed_db):
    from kernel.context import bound

    with in_tenant(tenants.a), bound(request_id="req-1234567890"):
        message = tasks.where.send("traced")
    assert message.options["tenant_schema"] == "ta"
    assert message.options["request_id"] == "req-1234567890"


def test_actor_declarations_are_explicit():
    import dramatiq

    actor = dramatiq.get_broker().get_actor("kernel.relay_outbox")
    assert actor.queue_name == "outbox"
    assert actor.options["max_retries"] == 10
    assert actor.options["time_limit"] == 300_000
