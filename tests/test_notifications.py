"""Notifications: inbox, e-mail, text messages, preferences, reminders — once, never lost."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from identity import actions as identity
from identity.defaults import root_department
from identity.models import User
from kernel import notifications, outbox
from kernel.models import (
    MessageTemplate,
    Notification,
    NotificationDelivery,
    NotificationPreference,
    OutboxEvent,
)
from tests.fixtures import PASSWORD, drain, running_worker

QUEUES = ("default", "outbox", "notifications")


def person(username, **fields):
    user = User(
        username=username, full_name=fields.pop("full_name", username), department=root_department(), **fields
    )
    return identity.save_user(user, password=PASSWORD)


def test_in_the_bell_and_by_email_exactly_once_even_when_the_relay_runs_twice(
    tenants, in_tenant, committed_db, client_for
):
    with in_tenant(tenants.a):
        wang = person("wang", email="wang@hospital-a.test", full_name="王工")
        with transaction.atomic():
            notifications.notify(
                [wang],
                "kernel.reminder",
                params={"title": "设备巡检", "text": "今天 15:00 巡检锅炉房"},
                url="/guide/",
            )
        event = OutboxEvent.objects.get(topic=notifications.TOPIC)
        outbox.relay_pending()
        # The relay crashed after sending but before marking the event: it sends again.
        OutboxEvent.objects.filter(pk=event.pk).update(relayed_at=None)
        outbox.relay_pending()
    with running_worker(queues=QUEUES) as broker:
        drain(broker, queues=QUEUES)
    with in_tenant(tenants.a):
        assert Notification.objects.filter(recipient=wang).count() == 1
        delivery = NotificationDelivery.objects.get(notification__recipient=wang)
        assert delivery.channel == "email" and delivery.status == "sent"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "设备巡检" and message.to == ["wang@hospital-a.test"]
    from email.header import decode_header, make_header

    assert "今天 15:00 巡检锅炉房" in message.body
    assert str(make_header(decode_header(message.from_email))).startswith("甲医院 <")
    html = message.alternatives[0][0]
    assert "http://a.localhost/guide/" in html
    # The bell shows it.
    page = client_for(tenants.a, user=wang).get("/").content.decode()
    assert 'data-unread="1"' in page


@pytest.mark.django_db
def test_each_recipient_gets_it_in_their_language_and_channels(tenants, in_tenant):
    with in_tenant(tenants.a):
        zh = person("zh", email="zh@a.test", language="zh-hans")
        en = person("en", email="en@a.test", phone="13800001111", language="en")
        NotificationPreference.objects.create(
            user=zh, kind="portal.announcement", channel="email", enabled=True
        )
        NotificationPreference.objects.create(
            user=en, kind="portal.announcement", channel="sms", enabled=True
        )
        with transaction.atomic():
            notifications.notify(
                [zh, en], "portal.announcement", params={"title": "停水通知", "summary": "周六上午"}
            )
        event = OutboxEvent.objects.get(topic=notifications.TOPIC)
        assert outbox.deliver(event.pk, "notifications") is True
        assert outbox.deliver(event.pk, "notifications") is False  # a second delivery does nothing
        titles = dict(Notification.objects.values_list("recipient__username", "title"))
        assert titles == {"zh": "新通知公告：停水通知", "en": "New announcement: 停水通知"}
        channels = set(
            NotificationDelivery.objects.values_list("notification__recipient__username", "channel")
        )
        assert channels == {("zh", "email"), ("en", "sms")}  # announcements are inbox-only unless chosen


@pytest.mark.django_db
def test_text_messages_go_through_the_provider(tenants, in_tenant):
    from kernel.sms import get_sms_provider

    with in_tenant(tenants.a):
        li = person("li", phone="13911112222")
        NotificationPreference.objects.create(user=li, kind="kernel.reminder", channel="sms", enabled=True)
        with transaction.atomic():
            notifications.notify([li], "kernel.reminder", params={"title": "值班提醒", "text": "今晚 20:00"})
        outbox.deliver(OutboxEvent.objects.get(topic=notifications.TOPIC).pk, "notifications")
        delivery = NotificationDelivery.objects.get(channel="sms")
        assert notifications.send_delivery(delivery.pk) is True
        assert notifications.send_delivery(delivery.pk) is False  # already sent
    assert get_sms_provider().sent[-1] == ("13911112222", "值班提醒 今晚 20:00")


@pytest.mark.django_db
def test_tenant_wording_fills_placeholders_and_interprets_nothing_else(tenants, in_tenant):
    with in_tenant(tenants.a):
        MessageTemplate.objects.create(
            kind="kernel.reminder",
            language="zh-hans",
            subject="【提醒】{title}",
            body="{text} {{ request.user.password }} {missing}",
        )
        title, body = notifications.render("kernel.reminder", "zh-hans", {"title": "交班", "text": "请交接"})
    assert title == "【提醒】交班"
    assert body == "请交接 { request.user.password } {missing}"


@pytest.mark.django_db
def test_a_failing_email_stays_pending_and_is_retried(tenants, in_tenant, settings, monkeypatch):
    from kernel import emails

    with in_tenant(tenants.a):
        zhao = person("zhao", email="zhao@a.test")
        with transaction.atomic():
            notifications.notify([zhao], "kernel.reminder", params={"title": "t", "text": "x"})
        outbox.deliver(OutboxEvent.objects.get(topic=notifications.TOPIC).pk, "notifications")
        delivery = NotificationDelivery.objects.get()

        def down(*args, **kwargs):
            raise ConnectionRefusedError("SMTP server down")

        monkeypatch.setattr(emails, "send_branded_email", down)
        assert notifications.send_delivery(delivery.pk) is False
        delivery.refresh_from_db()
        assert delivery.status == "pending" and delivery.attempts == 1 and "SMTP" in delivery.last_error
        monkeypatch.undo()
        NotificationDelivery.objects.filter(pk=delivery.pk).update(
            created_at=timezone.now() - timedelta(minutes=5)
        )
        assert notifications.resend_stale_deliveries() == 1


@pytest.mark.django_db
def test_reminders_fire_once_when_due(tenants, in_tenant):
    with in_tenant(tenants.a):
        zhou = person("zhou")
        now = timezone.now()
        notifications.schedule_reminder(
            zhou, now + timedelta(hours=1), "kernel.reminder", params={"title": "later", "text": ""}
        )
        notifications.schedule_reminder(
            zhou, now - timedelta(minutes=1), "kernel.reminder", params={"title": "now", "text": ""}
        )
        assert notifications.send_due_reminders(now) == 1
        assert notifications.send_due_reminders(now) == 0
        assert (
            OutboxEvent.objects.filter(topic=notifications.TOPIC, payload__params__title="now").count() == 1
        )
        assert notifications.send_due_reminders(now + timedelta(hours=2)) == 1


@pytest.mark.django_db
def test_inbox_preferences_and_mark_read(tenants, in_tenant, client_for):
    with in_tenant(tenants.a):
        sun = person("sun")
        for title in ("一", "二"):
            Notification.objects.create(recipient=sun, kind="kernel.reminder", title=title)
    client = client_for(tenants.a, user=sun)
    page = client.get("/me/notifications/").content.decode()
    assert page.count('class="unread"') == 2 and 'data-unread="2"' in page
    client.post("/me/notifications/read/")
    assert "data-unread" not in client.get("/me/notifications/").content.decode()
    client.post("/me/notifications/settings/", {"kernel.reminder:inbox": "on"})
    with in_tenant(tenants.a):
        assert not notifications.wants(sun, "kernel.reminder", "email")
        assert notifications.wants(sun, "kernel.reminder", "inbox")


def test_unknown_kinds_are_refused():
    with pytest.raises(notifications.UnknownKind):
        notifications.notify([1], "no.such.kind")
