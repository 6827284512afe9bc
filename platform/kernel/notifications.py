"""Notifications: the inbox (bell), e-mail and text messages, through the outbox.

    notifications.notify([user], "portal.announcement", params={"title": page.title}, url=page.url)

`notify` runs inside the action's transaction and only writes an outbox event. The
`notifications` consumer turns each event, once (outbox.idempotent), into an inbox
`Notification` per recipient in the recipient's language, plus a pending
`NotificationDelivery` per outside channel the recipient wants. Deliveries are sent by
jobs after commit and swept periodically until sent, so a message is never lost, and
an event relayed twice notifies once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone, translation

from kernel import modules, outbox
from kernel.models import (
    Channel,
    MessageTemplate,
    Notification,
    NotificationDelivery,
    NotificationPreference,
    Reminder,
)

logger = logging.getLogger("kernel.notifications")

TOPIC = "notification.requested"
MAX_ATTEMPTS = 8


class UnknownKind(LookupError):
    pass


def notify(recipients: Iterable, kind: str, *, params: dict | None = None, url: str = "", actor=None) -> None:
    """Ask for `kind` to be sent to these users (inside the transaction of the change)."""
    if kind not in modules.notification_kinds():
        raise UnknownKind(f"No module declares the notification kind {kind!r}")
    ids = sorted({getattr(user, "pk", user) for user in recipients})
    if ids:
        outbox.emit(TOPIC, {"kind": kind, "recipients": ids, "params": params or {}, "url": url}, actor=actor)


class _Params(dict):
    """str.format_map that leaves unknown {placeholders} as they are."""

    def __missing__(self, key):
        return "{" + key + "}"


def render(kind: str, language: str, params: dict) -> tuple[str, str]:
    """Title and text in one language: the tenant's own template if any, else the module's."""
    override = MessageTemplate.objects.filter(kind=kind, language=language).first()
    if override is not None:
        safe = _Params({key: str(value) for key, value in params.items()})
        return override.subject.format_map(safe), override.body.format_map(safe)
    declared = modules.notification_kinds()[kind]
    with translation.override(language):
        title = str(declared.title) % params if params else str(declared.title)
        body = (str(declared.body) % params if params else str(declared.body)) if declared.body else ""
    return title, body


def wants(user, kind: str, channel: str) -> bool:
    choice = (
        NotificationPreference.objects.filter(user=user, kind=kind, channel=channel)
        .values_list("enabled", flat=True)
        .first()
    )
    if choice is not None:
        return choice
    return channel in modules.notification_kinds()[kind].default_channels


@outbox.consumer("notifications", topics=[TOPIC])
def deliver_notification_event(event) -> None:
    """Runs once per event (outbox.deliver wraps it in outbox.idempotent)."""
    from identity.models import User

    payload = event.payload
    kind = payload["kind"]
    pending: list[int] = []
    for user in User.objects.filter(pk__in=payload["recipients"], is_active=True):
        title, body = render(kind, user.language, payload.get("params") or {})
        notification, created = Notification.objects.get_or_create(
            source_event=event.pk,
            recipient=user,
            defaults={"kind": kind, "title": title[:300], "body": body, "url": payload.get("url", "")},
        )
        if not created:
            continue
        for channel, address in ((Channel.EMAIL, user.email), (Channel.SMS, user.phone)):
            if address and wants(user, kind, channel):
                delivery = NotificationDelivery.objects.create(
                    notification=notification, channel=channel, address=address
                )
                pending.append(delivery.pk)
    if pending:
        from kernel.tasks import send_notification_delivery

        for delivery_id in pending:
            send_notification_delivery.send_on_commit(delivery_id)


def send_delivery(delivery_id: int) -> bool:
    """Send one pending delivery; True when it went out now."""
    from kernel.emails import send_notification_email
    from kernel.sms import get_sms_provider

    with transaction.atomic():
        delivery = (
            NotificationDelivery.objects.select_for_update(skip_locked=True)
            .select_related("notification__recipient")
            .filter(pk=delivery_id, status=NotificationDelivery.Status.PENDING)
            .first()
        )
        if delivery is None:
            return False  # already sent, or another worker holds it
        delivery.attempts += 1
        try:
            if delivery.channel == Channel.EMAIL:
                send_notification_email(delivery.notification, delivery.address)
            else:
                notification = delivery.notification
                get_sms_provider().send(delivery.address, f"{notification.title} {notification.body}".strip())
        except Exception as exc:  # noqa: BLE001 - any failure is retried, then recorded
            delivery.last_error = f"{type(exc).__name__}: {exc}"[:1000]
            if delivery.attempts >= MAX_ATTEMPTS:
                delivery.status = NotificationDelivery.Status.FAILED
            delivery.save(update_fields=["attempts", "last_error", "status"])
            logger.warning("delivery %s failed (attempt %d): %s", delivery_id, delivery.attempts, exc)
            return False
        delivery.status = NotificationDelivery.Status.SENT
        delivery.sent_at = timezone.now()
        delivery.save(update_fields=["attempts", "status", "sent_at", "last_error"])
    return True


def resend_stale_deliveries(older_than: timedelta = timedelta(minutes=2)) -> int:
    """The safety net: deliveries still pending after a while are sent again."""
    from kernel.tasks import send_notification_delivery

    cutoff = timezone.now() - older_than
    ids = list(
        NotificationDelivery.objects.filter(
            status=NotificationDelivery.Status.PENDING, created_at__lt=cutoff
        ).values_list("pk", flat=True)[:500]
    )
    for delivery_id in ids:
        send_notification_delivery.send(delivery_id)
    return len(ids)


# --- Reminders ---------------------------------------------------------------------------------


def schedule_reminder(user, at, kind: str, *, params: dict | None = None, url: str = "") -> Reminder:
    """A notification to send at time `at` (a row: it survives restarts and lost messages)."""
    if kind not in modules.notification_kinds():
        raise UnknownKind(kind)
    return Reminder.objects.create(recipient=user, due_at=at, kind=kind, params=params or {}, url=url)


def send_due_reminders(now=None, batch: int = 500) -> int:
    """Notify every reminder whose time has come; each is sent once."""
    now = now or timezone.now()
    sent = 0
    with transaction.atomic():
        due = list(
            Reminder.objects.select_for_update(skip_locked=True)
            .filter(sent_at__isnull=True, due_at__lte=now)
            .order_by("due_at")[:batch]
        )
        for reminder in due:
            notify([reminder.recipient_id], reminder.kind, params=reminder.params, url=reminder.url)
            reminder.sent_at = now
            reminder.save(update_fields=["sent_at"])
            sent += 1
    return sent


# --- Inbox -------------------------------------------------------------------------------------


def unread_count(user) -> int:
    if user is None or not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def mark_read(user, notification_ids=None) -> int:
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=timezone.now())
