"""Kernel jobs: the outbox relay and delivery."""

from datetime import timedelta

from kernel import outbox
from kernel.jobs import tenant_actor


@tenant_actor(name="kernel.relay_outbox", queue="outbox", max_retries=10, time_limit=timedelta(minutes=5))
def relay_outbox() -> None:
    outbox.relay_pending()


@tenant_actor(
    name="kernel.deliver_outbox_event",
    queue="outbox",
    max_retries=20,
    time_limit=timedelta(minutes=5),
    max_backoff=timedelta(hours=1),
)
def deliver_outbox_event(event_id: int, consumer_name: str) -> None:
    outbox.deliver(event_id, consumer_name)
