"""The transactional outbox.

    from kernel import outbox

    with transaction.atomic():
        room = Room.objects.create(...)
        outbox.emit("spaces.room.created", {"room_id": room.pk}, actor=user)

    @outbox.consumer("search-index", topics=["spaces.*"])
    def index_location(event: OutboxEvent) -> None: ...

`emit` writes the event in the caller's transaction, so the event exists exactly when
the change does. After commit the relay job runs for the tenant; it also runs
periodically as a safety net. The relay sends each event to each subscribed consumer
as a job; a crash between sending and marking the event relayed means a second send,
so consumers run under `idempotent()`, which records a receipt in the same
transaction as the consumer's own writes.
"""

from __future__ import annotations

import contextlib
import fnmatch
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from kernel.context import current_request_id
from kernel.models import ConsumedEvent, OutboxEvent

logger = logging.getLogger("kernel.outbox")

RELAY_BATCH = 500


class OutsideTransaction(RuntimeError):
    pass


@dataclass(frozen=True)
class Consumer:
    name: str
    topics: tuple[str, ...]
    handler: Callable[[OutboxEvent], None]

    def wants(self, topic: str) -> bool:
        return any(fnmatch.fnmatchcase(topic, pattern) for pattern in self.topics)


_consumers: dict[str, Consumer] = {}


def consumer(name: str, *, topics: Iterable[str]) -> Callable:
    """Subscribe a handler to topics (shell-style patterns, e.g. "workorders.*")."""

    def decorator(handler: Callable[[OutboxEvent], None]) -> Callable[[OutboxEvent], None]:
        if name in _consumers and _consumers[name].handler is not handler:
            raise ValueError(f"Two outbox consumers are named {name!r}")
        _consumers[name] = Consumer(name, tuple(topics), handler)
        return handler

    return decorator


def consumers() -> list[Consumer]:
    return list(_consumers.values())


def get_consumer(name: str) -> Consumer:
    return _consumers[name]


def emit(topic: str, payload: dict, *, actor=None) -> OutboxEvent:
    """Record a domain event inside the transaction of the change it describes."""
    if not connection.in_atomic_block:
        raise OutsideTransaction(
            f"outbox.emit({topic!r}) must run inside the transaction that makes the change"
        )
    event = OutboxEvent.objects.create(
        topic=topic,
        payload=payload,
        actor_id=getattr(actor, "pk", None),
        request_id=current_request_id() or "",
    )
    _relay_after_commit()
    return event


def _relay_after_commit() -> None:
    """Send the relay job once the transaction commits (once per transaction)."""
    for _savepoints, callback, _robust in connection.run_on_commit:
        if getattr(callback, "facilis_outbox_relay", False):
            return
    from kernel.tasks import relay_outbox

    schema = connection.schema_name

    def send_relay() -> None:
        relay_outbox.send_to(schema)

    send_relay.facilis_outbox_relay = True
    transaction.on_commit(send_relay)


def relay_pending(batch: int = RELAY_BATCH) -> int:
    """Hand pending events of the current tenant to their consumers; returns events relayed."""
    from kernel.tasks import deliver_outbox_event

    relayed = 0
    while True:
        with transaction.atomic():
            events = list(
                OutboxEvent.objects.select_for_update(skip_locked=True)
                .filter(relayed_at__isnull=True)
                .order_by("id")[:batch]
            )
            if not events:
                return relayed
            for event in events:
                for sub in consumers():
                    if sub.wants(event.topic):
                        deliver_outbox_event.send(event.pk, sub.name)
            OutboxEvent.objects.filter(pk__in=[e.pk for e in events]).update(relayed_at=timezone.now())
            relayed += len(events)
        if len(events) < batch:
            return relayed


@contextlib.contextmanager
def idempotent(consumer_name: str, key: str) -> Iterator[bool]:
    """Run a block at most once per (consumer, key), atomically with the receipt.

        with idempotent("billing", stripe_event_id) as first_time:
            if first_time:
                apply(...)

    A concurrent duplicate waits for the first to commit, then sees `False`. If the
    block raises, nothing is recorded and a redelivery will try again.
    """
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {ConsumedEvent._meta.db_table} (consumer, key, consumed_at) "
                "VALUES (%s, %s, now()) ON CONFLICT (consumer, key) DO NOTHING",
                [consumer_name, key],
            )
            first_time = cursor.rowcount == 1
        yield first_time


def deliver(event_id: int, consumer_name: str) -> bool:
    """Run one consumer on one event, once. Returns whether it ran now."""
    sub = get_consumer(consumer_name)
    with idempotent(sub.name, f"outbox:{event_id}") as first_time:
        if not first_time:
            logger.info("event %s already handled by %s", event_id, sub.name)
            return False
        event = OutboxEvent.objects.get(pk=event_id)
        sub.handler(event)
        return True
