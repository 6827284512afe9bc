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


@tenant_actor(
    name="kernel.send_notification_delivery",
    queue="notifications",
    max_retries=5,
    time_limit=timedelta(minutes=2),
    max_backoff=timedelta(minutes=10),
)
def send_notification_delivery(delivery_id: int) -> None:
    from kernel.notifications import send_delivery

    send_delivery(delivery_id)


@tenant_actor(
    name="kernel.resend_stale_deliveries",
    queue="notifications",
    max_retries=0,
    time_limit=timedelta(minutes=5),
)
def resend_stale_deliveries() -> None:
    from kernel.notifications import resend_stale_deliveries as resend

    resend()


@tenant_actor(
    name="kernel.send_due_reminders", queue="notifications", max_retries=3, time_limit=timedelta(minutes=5)
)
def send_due_reminders() -> None:
    from kernel.notifications import send_due_reminders as send

    send()


@tenant_actor(
    name="kernel.send_due_webhooks", queue="webhooks", max_retries=0, time_limit=timedelta(minutes=10)
)
def send_due_webhooks() -> None:
    from kernel.webhooks import send_due

    send_due()
