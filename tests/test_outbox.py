"""The outbox: events written with the change, relayed at least once, consumed once."""

import pytest
from django.db import transaction

from kernel import outbox
from kernel.models import ConsumedEvent, OutboxEvent
from kernel.redis import get_redis
from modules.spaces import actions as spaces
from tests.fixtures import drain, running_worker


def events_seen(schema):
    return [value.decode() for value in get_redis().lrange(f"probe:events:{schema}", 0, -1)]


@pytest.mark.django_db
def test_emit_requires_the_transaction_of_the_change(tenants, in_tenant):
    with in_tenant(tenants.a):
        # pytest-django wraps the test in a transaction; leave it to prove the check.
        from django.db import connection

        atomic = connection.in_atomic_block
        connection.in_atomic_block = False
        try:
            with pytest.raises(outbox.OutsideTransaction):
                outbox.emit("spaces.campus.created", {})
        finally:
            connection.in_atomic_block = atomic


@pytest.mark.django_db
def test_event_and_change_roll_back_together(tenants, in_tenant):
    with in_tenant(tenants.a):
        try:
            with transaction.atomic():
                spaces.create_campus(code="GONE", name="会回滚")
                raise RuntimeError("abort")
        except RuntimeError:
            pass
        assert not OutboxEvent.objects.filter(topic="spaces.campus.created").exists()


def test_committed_change_is_relayed_to_consumers_in_its_tenant(tenants, in_tenant, committed_db):
    with in_tenant(tenants.a):
        campus = spaces.create_campus(code="NORTH", name="北院区")
        event = OutboxEvent.objects.get(topic="spaces.campus.created")
        assert event.payload == {"id": campus.pk, "kind": "campus", "code": "NORTH", "name": "北院区"}
    with running_worker() as broker:
        drain(broker)
    assert events_seen("ta") == [f"{event.pk}:spaces.campus.created"]
    assert events_seen("tb") == []
    with in_tenant(tenants.a):
        assert OutboxEvent.objects.get(pk=event.pk).relayed_at is not None


def test_an_event_whose_relay_message_was_lost_is_delivered_by_the_periodic_relay(
    tenants, in_tenant, committed_db
):
    from kernel.jobs import scheduler

    with in_tenant(tenants.b):
        spaces.create_campus(code="LOST", name="丢失的消息")
    get_redis().flushdb()  # the relay message sent on commit is lost
    from datetime import UTC, datetime, timedelta

    at = datetime.now(UTC)
    scheduler.tick(at - timedelta(minutes=5), at)  # the safety-net firing
    with running_worker() as broker:
        drain(broker)
    assert len(events_seen("tb")) == 1


def test_duplicate_delivery_is_consumed_once(tenants, in_tenant, committed_db):
    with in_tenant(tenants.a):
        spaces.create_campus(code="TWICE", name="两次")
        event = OutboxEvent.objects.get()
        # The relay crashed after sending but before marking: the next relay sends again.
        assert outbox.deliver(event.pk, "probe-recorder") is True
        assert outbox.deliver(event.pk, "probe-recorder") is False
        assert ConsumedEvent.objects.filter(consumer="probe-recorder", key=f"outbox:{event.pk}").count() == 1
    assert events_seen("ta") == [f"{event.pk}:spaces.campus.created"]


def test_a_failing_consumer_leaves_no_receipt_and_is_retried(tenants, in_tenant, committed_db, monkeypatch):
    calls = []

    def flaky(event):
        calls.append(event.pk)
        if len(calls) == 1:
            raise ConnectionError("downstream unavailable")

    consumer = outbox.Consumer("flaky", ("spaces.*",), flaky)
    monkeypatch.setitem(outbox._consumers, "flaky", consumer)
    with in_tenant(tenants.a):
        spaces.create_campus(code="FLAKY", name="不稳定")
        event = OutboxEvent.objects.get()
        with pytest.raises(ConnectionError):
            outbox.deliver(event.pk, "flaky")
        assert not ConsumedEvent.objects.filter(consumer="flaky").exists()
        assert outbox.deliver(event.pk, "flaky") is True
    assert calls == [event.pk, event.pk]


def test_idempotent_helper_for_other_message_sources(tenants, in_tenant, committed_db):
    applied = []
    with in_tenant(tenants.a):
        for _ in range(3):
            with outbox.idempotent("billing", "evt_123") as first_time:
                if first_time:
                    applied.append(1)
    assert applied == [1]
