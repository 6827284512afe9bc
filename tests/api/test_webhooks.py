"""Webhooks: from the outbox to a receiver on localhost, signed; retried; logged; redelivered."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kernel import webhooks
from kernel.models import OutboxEvent, WebhookDelivery, WebhookEndpoint
from modules.spaces import actions as spaces
from tests.fixtures import drain, running_worker

QUEUES = ("default", "outbox", "notifications", "webhooks")


class Receiver:
    """A partner's endpoint: records each request and answers with the next scripted status."""

    def __init__(self, statuses=()):
        self.statuses = list(statuses)
        self.requests: list[tuple[dict, bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok" if status < 300 else b"try later")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/facilis"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    made = []

    def make(*statuses):
        made.append(Receiver(statuses))
        return made[-1]

    yield make
    for r in made:
        r.close()


def partner_verifies(secret: str, headers: dict, body: bytes) -> bool:
    """What docs/api.md tells a partner to do, written independently of kernel.webhooks."""
    fields = dict(part.split("=", 1) for part in headers["Facilis-Signature"].split(","))
    expected = hmac.new(secret.encode(), fields["t"].encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, fields["v1"])


def endpoint_in(tenant, in_tenant, url, events=("spaces.room.*",), **fields) -> WebhookEndpoint:
    with in_tenant(tenant):
        return webhooks.save_endpoint(
            WebhookEndpoint(name="合作方", url=url, event_types=list(events), **fields)
        )


def test_a_receiver_on_localhost_gets_signed_events_of_its_tenant_only(
    tenants, in_tenant, committed_db, receiver
):
    hook = receiver()
    endpoint = endpoint_in(tenants.a, in_tenant, hook.url)
    assert endpoint.secret.startswith("whsec_")
    with in_tenant(tenants.a):
        campus = spaces.create_campus(code="W", name="院区")  # not subscribed
        building = spaces.create_building(campus=campus, code="WB", name="楼")
        floor = spaces.create_floor(building=building, level=1, code="1F", name="一层")
        room = spaces.create_room(floor=floor, code="W101", name="webhook 房间")
        event = OutboxEvent.objects.get(topic="spaces.room.created")
    with in_tenant(tenants.b):  # B has no endpoint; A's must not hear of B's rooms
        b_campus = spaces.create_campus(code="BW", name="乙院区")
        b_building = spaces.create_building(campus=b_campus, code="BWB", name="乙楼")
        b_floor = spaces.create_floor(building=b_building, level=1, code="1F", name="乙一层")
        spaces.create_room(floor=b_floor, code="B-SECRET", name="乙的房间")
    with running_worker(QUEUES) as broker:
        drain(broker, QUEUES)

    assert len(hook.requests) == 1
    headers, body = hook.requests[0]
    assert partner_verifies(endpoint.secret, headers, body)
    assert not partner_verifies(endpoint.secret, headers, body.replace(b"W101", b"W102"))
    assert not partner_verifies("whsec_someone-else", headers, body)
    assert webhooks.verify(endpoint.secret, headers["Facilis-Signature"], body)
    assert headers["Facilis-Event-Type"] == "spaces.room.created"
    assert headers["Facilis-Event-Id"] == f"evt_{event.pk}"
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    envelope = json.loads(body)
    assert envelope["id"] == f"evt_{event.pk}" and envelope["tenant"] == "ta"
    assert envelope["data"]["code"] == "W101" and envelope["data"]["id"] == room.pk
    assert b"B-SECRET" not in b"".join(b for _, b in hook.requests)
    with in_tenant(tenants.a):
        delivery = WebhookDelivery.objects.get()
        assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)


@pytest.mark.django_db
def test_fails_three_times_then_one_successful_delivery(tenants, in_tenant, receiver):
    hook = receiver(500, 502, 503)
    endpoint = endpoint_in(tenants.a, in_tenant, hook.url, events=("*",))
    with in_tenant(tenants.a):
        spaces.create_campus(code="R", name="重试")
        webhooks.queue_event(OutboxEvent.objects.get())
        delivery = WebhookDelivery.objects.get()
        start = timezone.now()
        pauses = []
        for step in range(4):
            # The sweeper runs every 30 s; move its clock past the next due time.
            due = WebhookDelivery.objects.get(pk=delivery.pk).next_attempt_at
            assert webhooks.send_due(now=max(due, start)) == 1
            delivery.refresh_from_db()
            if step < 3:
                pauses.append(round((delivery.next_attempt_at - timezone.now()).total_seconds()))
        assert webhooks.send_due(now=start + timedelta(days=2)) == 0  # nothing more to send
        log = list(delivery.attempt_log.values_list("status_code", flat=True))

    assert (delivery.status, delivery.attempts) == ("delivered", 4)
    assert log == [500, 502, 503, 200]
    assert sum(1 for code in log if 200 <= code < 300) == 1
    assert pauses == [30, 60, 120]  # doubling from 30 s
    assert len(hook.requests) == 4
    assert {h["Facilis-Event-Id"] for h, _ in hook.requests} == {f"evt_{delivery.event_id}"}
    assert all(partner_verifies(endpoint.secret, h, b) for h, b in hook.requests)


@pytest.mark.django_db
def test_gives_up_after_24_hours_and_a_manual_redeliver_starts_again(tenants, in_tenant, receiver):
    hook = receiver(*([500] * 10))
    endpoint_in(tenants.a, in_tenant, hook.url, events=("spaces.*",))
    with in_tenant(tenants.a):
        spaces.create_campus(code="G", name="放弃")
        webhooks.queue_event(OutboxEvent.objects.get())
        delivery = WebhookDelivery.objects.get()
        webhooks.send_due()
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            first_attempt_at=timezone.now() - timedelta(hours=23, minutes=59)
        )
        webhooks.send_due(now=timezone.now() + timedelta(hours=1))
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == ("failed", 2)
        assert webhooks.send_due(now=timezone.now() + timedelta(days=3)) == 0
        hook.statuses = [204]
        attempt = webhooks.redeliver(delivery)
        delivery.refresh_from_db()
    assert (attempt.status_code, attempt.manual) == (204, True)
    assert delivery.status == "delivered"


@pytest.mark.django_db
def test_unreachable_and_inactive_endpoints(tenants, in_tenant):
    with in_tenant(tenants.a):
        dead = webhooks.save_endpoint(
            WebhookEndpoint(name="关机", url="http://127.0.0.1:9/nothing", event_types=["*"])
        )
        idle = webhooks.save_endpoint(
            WebhookEndpoint(name="停用", url="http://127.0.0.1:9/idle", event_types=["*"], is_active=False)
        )
        spaces.create_campus(code="U", name="不可达")
        webhooks.queue_event(OutboxEvent.objects.get())
        assert list(WebhookDelivery.objects.values_list("endpoint", flat=True)) == [dead.pk]
        webhooks.send_due()
        delivery = WebhookDelivery.objects.get()
        attempt = delivery.attempt_log.get()
    assert idle.pk != dead.pk
    assert delivery.status == "pending" and delivery.last_status_code is None
    assert attempt.status_code is None and "ConnectionError" in attempt.error


@pytest.mark.django_db
def test_https_only_and_no_private_addresses_outside_development(tenants, in_tenant, settings):
    settings.WEBHOOKS_ALLOW_HTTP = False
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    with in_tenant(tenants.a):
        with pytest.raises(ValidationError) as refused:
            webhooks.save_endpoint(
                WebhookEndpoint(name="明文", url="http://partner.example/h", event_types=["*"])
            )
        assert refused.value.error_dict["url"][0].code == "insecure_url"
        inside = webhooks.save_endpoint(
            WebhookEndpoint(name="内网", url="https://127.0.0.1:8443/h", event_types=["*"])
        )
        spaces.create_campus(code="S", name="内网探测")
        webhooks.queue_event(OutboxEvent.objects.get())
        webhooks.send_due()
        attempt = WebhookDelivery.objects.get(endpoint=inside).attempt_log.get()
        assert not WebhookEndpoint.objects.filter(name="明文").exists()
    assert attempt.status_code is None
    assert "non-public address" in attempt.error


@pytest.mark.django_db
class TestConsole:
    def test_admin_registers_an_endpoint_and_sees_its_secret(
        self, tenants, in_tenant, client_for, tenant_admin
    ):
        client = client_for(tenants.a, user=tenant_admin(tenants.a))
        menu = client.get("/console/").content.decode()
        assert all(
            link in menu
            for link in ("/console/webhooks/endpoints/", "/console/webhooks/deliveries/", "/graphql/")
        )
        response = client.post(
            "/console/webhooks/endpoints/new/",
            {
                "name": "物业公司",
                "url": "partner.example/hooks",
                "event_types": "spaces.room.*, spaces.building.*",
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        with in_tenant(tenants.a):
            endpoint = WebhookEndpoint.objects.get(name="物业公司")
        assert endpoint.url == "https://partner.example/hooks"
        assert endpoint.event_types == ["spaces.room.*", "spaces.building.*"]
        page = client.get(f"/console/webhooks/endpoints/edit/{endpoint.pk}/").content.decode()
        assert endpoint.secret in page

    def test_field_errors_are_shown_per_field(self, tenants, in_tenant, client_for, tenant_admin):
        client = client_for(tenants.a, user=tenant_admin(tenants.a))
        menu = client.get("/console/").content.decode()
        assert all(
            link in menu
            for link in ("/console/webhooks/endpoints/", "/console/webhooks/deliveries/", "/graphql/")
        )
        response = client.post(
            "/console/webhooks/endpoints/new/", {"name": "空", "url": "", "event_types": " , "}
        )
        assert response.status_code == 200
        form = response.context["form"]
        assert set(form.errors) == {"url", "event_types"}
        with in_tenant(tenants.a):
            assert not WebhookEndpoint.objects.exists()

    def test_delivery_log_shows_status_codes_and_redelivers(
        self, tenants, in_tenant, client_for, tenant_admin, receiver
    ):
        hook = receiver(500)
        endpoint_in(tenants.a, in_tenant, hook.url, events=("*",))
        with in_tenant(tenants.a):
            spaces.create_campus(code="L", name="日志")
            webhooks.queue_event(OutboxEvent.objects.get())
            webhooks.send_due()
            delivery = WebhookDelivery.objects.get()
        client = client_for(tenants.a, user=tenant_admin(tenants.a))
        log = client.get("/console/webhooks/deliveries/").content.decode()
        assert "spaces.campus.created" in log and "500" in log
        response = client.post(f"/console/webhooks/deliveries/{delivery.pk}/redeliver/")
        assert response.status_code == 302
        log = client.get("/console/webhooks/deliveries/?status=delivered").content.decode()
        assert "200*" in log  # the manual attempt is starred
        with in_tenant(tenants.a):
            assert list(delivery.attempt_log.values_list("status_code", "manual")) == [
                (500, False),
                (200, True),
            ]

    def test_only_webhook_managers_and_only_their_tenant(
        self, tenants, in_tenant, client_for, tenant_admin, person
    ):
        endpoint_in(tenants.a, in_tenant, "https://partner.example/a", events=("*",))
        with in_tenant(tenants.a):
            spaces.create_campus(code="P", name="甲的事件")
            webhooks.queue_event(OutboxEvent.objects.get())
        dispatcher = person(tenants.a, "desk", "dispatcher")
        desk = client_for(tenants.a, user=dispatcher)
        assert "/console/webhooks/" not in desk.get("/console/").content.decode()
        assert desk.get("/console/webhooks/deliveries/").status_code in (302, 403)
        assert desk.get("/console/webhooks/endpoints/").status_code in (302, 403)
        b_admin = client_for(tenants.b, user=tenant_admin(tenants.b))
        page = b_admin.get("/console/webhooks/deliveries/").content.decode()
        assert "spaces.campus.created" not in page
        assert "partner.example/a" not in b_admin.get("/console/webhooks/endpoints/").content.decode()
