"""Outbound webhooks: outbox events to partners' URLs, signed, retried for 24 hours.

Every request carries:

    Facilis-Event-Id: evt_1234            (the same on every retry: deduplicate on it)
    Facilis-Event-Type: spaces.room.created
    Facilis-Delivery-Id: 56
    Facilis-Signature: t=1795360693,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>

A 2xx answer within 10 s is a delivery; anything else is retried after 30 s, 1 min,
2 min … (doubling, at most 6 h apart) until 24 h after the first attempt. The state is in
the database (`WebhookDelivery.next_attempt_at`), swept every 30 s (docs/api.md).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
import time
from datetime import timedelta
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel import outbox
from kernel.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

logger = logging.getLogger("kernel.webhooks")

RETRY_FOR = timedelta(hours=24)
FIRST_PAUSE = timedelta(seconds=30)
LONGEST_PAUSE = timedelta(hours=6)
TIMEOUT_SECONDS = 10
LEASE = timedelta(minutes=2)  # a claimed delivery is not picked again for this long
USER_AGENT = "Facilis-Webhooks/1"


def new_secret() -> str:
    return f"whsec_{secrets.token_urlsafe(32)}"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: str, header: str, body: bytes, *, tolerance: int = 300, now: float | None = None) -> bool:
    """What a receiver does (shown in docs/api.md): check the signature and its age."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (ValueError, KeyError):
        return False
    if abs((now or time.time()) - timestamp) > tolerance:
        return False
    expected = sign(secret, timestamp, body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


def validate_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme != "https" and not (settings.WEBHOOKS_ALLOW_HTTP and parts.scheme == "http"):
        raise ValidationError(
            {"url": ValidationError(_("Webhook URLs must use https."), code="insecure_url")}
        )
    if not parts.hostname:
        raise ValidationError({"url": ValidationError(_("Enter a full URL."), code="invalid")})


def _refuse_private(url: str) -> None:
    """No deliveries into our own network (SSRF), unless development allows it."""
    if settings.WEBHOOKS_ALLOW_PRIVATE:
        return
    host = urlsplit(url).hostname or ""
    for info in socket.getaddrinfo(host, None):
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise ConnectionRefusedError(f"{host} resolves to a non-public address")


# --- Endpoints ---------------------------------------------------------------------------------------


def save_endpoint(endpoint: WebhookEndpoint, *, actor=None) -> WebhookEndpoint:
    from identity.actions import require

    require(actor, "webhooks.manage")
    validate_url(endpoint.url)
    if not endpoint.secret:
        endpoint.secret = new_secret()
    endpoint.full_clean()
    with transaction.atomic():
        endpoint.save()
    return endpoint


# --- From the outbox --------------------------------------------------------------------------------


@outbox.consumer("webhooks", topics=["*"])
def queue_event(event) -> None:
    """Runs once per event: a pending delivery for every active endpoint that wants it."""
    created = []
    for endpoint in WebhookEndpoint.objects.filter(is_active=True):
        if not endpoint.wants(event.topic):
            continue
        delivery, new = WebhookDelivery.objects.get_or_create(
            endpoint=endpoint,
            event_id=event.pk,
            defaults={"event_type": event.topic, "payload": event.payload, "occurred_at": event.occurred_at},
        )
        if new:
            created.append(delivery.pk)
    if created:
        from kernel.tasks import send_due_webhooks

        schema = connection.schema_name
        transaction.on_commit(lambda: send_due_webhooks.send_to(schema))


def body_of(delivery: WebhookDelivery) -> bytes:
    envelope = {
        "id": f"evt_{delivery.event_id}",
        "type": delivery.event_type,
        "created_at": delivery.occurred_at.isoformat(),
        "tenant": connection.schema_name,
        "data": delivery.payload,
    }
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def pause_after(attempts: int) -> timedelta:
    return min(FIRST_PAUSE * (2 ** max(attempts - 1, 0)), LONGEST_PAUSE)


def attempt(delivery: WebhookDelivery, *, manual: bool = False) -> WebhookAttempt:
    """POST once (outside any transaction), then record the attempt and the delivery's state."""
    endpoint = delivery.endpoint
    body = body_of(delivery)
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "Facilis-Event-Id": f"evt_{delivery.event_id}",
        "Facilis-Event-Type": delivery.event_type,
        "Facilis-Delivery-Id": str(delivery.pk),
        "Facilis-Signature": sign(endpoint.secret, timestamp, body),
    }
    started = time.perf_counter()
    status_code, error = None, ""
    try:
        _refuse_private(endpoint.url)
        response = requests.post(
            endpoint.url, data=body, headers=headers, timeout=TIMEOUT_SECONDS, allow_redirects=False
        )
        status_code = response.status_code
    except Exception as exc:  # noqa: BLE001 - any failure is a failed attempt, retried later
        error = f"{type(exc).__name__}: {exc}"[:500]
    with transaction.atomic():
        return _record(delivery, status_code, error, manual, int((time.perf_counter() - started) * 1000))


def _record(delivery, status_code, error, manual, duration_ms) -> WebhookAttempt:
    record = WebhookAttempt.objects.create(
        delivery=delivery, status_code=status_code, error=error, manual=manual, duration_ms=duration_ms
    )
    now = timezone.now()
    delivery.attempts += 1
    delivery.first_attempt_at = delivery.first_attempt_at or now
    delivery.last_status_code = status_code
    if status_code is not None and 200 <= status_code < 300:
        delivery.status, delivery.delivered_at = WebhookDelivery.Status.DELIVERED, now
    else:
        next_at = now + pause_after(delivery.attempts)
        if next_at > delivery.first_attempt_at + RETRY_FOR:
            delivery.status = WebhookDelivery.Status.FAILED
        else:
            delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.PENDING, next_at
    delivery.save()
    return record


def send_due(now=None, batch: int = 50) -> int:
    """Attempt every delivery whose time has come.

    Rows are claimed in a short transaction (skip-locked, and leased by moving their next
    attempt `LEASE` ahead), then sent outside it: no lock or transaction is held across a
    partner's 10-second timeout, two workers never send the same row, and a worker that
    dies mid-batch leaves rows that fall due again when the lease ends.
    """
    sent = 0
    while True:
        moment = now or timezone.now()
        with transaction.atomic():
            due = list(
                WebhookDelivery.objects.select_for_update(skip_locked=True)
                .select_related("endpoint")
                .filter(
                    status=WebhookDelivery.Status.PENDING,
                    next_attempt_at__lte=moment,
                    endpoint__is_active=True,
                )
                .order_by("next_attempt_at")[:batch]
            )
            WebhookDelivery.objects.filter(pk__in=[d.pk for d in due]).update(next_attempt_at=moment + LEASE)
        for delivery in due:
            attempt(delivery)
        sent += len(due)
        if len(due) < batch:
            return sent


def redeliver(delivery: WebhookDelivery, *, actor=None) -> WebhookAttempt:
    """Send once more now, whatever happened before (from the console's delivery log)."""
    from identity.actions import require

    require(actor, "webhooks.manage")
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery.pk)
    if delivery.status == WebhookDelivery.Status.FAILED:
        delivery.first_attempt_at = None  # a fresh 24 hours if this one fails too
    return attempt(delivery, manual=True)
