"""Kernel tables in every tenant schema: the outbox and its consumers' receipts."""

import datetime

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from identity.scope import Scope
from kernel.crypto import EncryptedCharField


class BilingualNamed(models.Model):
    """A Chinese name (the organisation's own) and an optional English one."""

    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name


class OutboxEvent(models.Model):
    """A domain event, written in the same transaction as the change it describes.

    The relay (kernel.tasks.relay_outbox) hands each event to every consumer that
    subscribed to its topic, at least once; consumers are idempotent (ConsumedEvent).
    """

    id = models.BigAutoField(primary_key=True)
    topic = models.CharField(max_length=100)
    payload = models.JSONField(default=dict)
    occurred_at = models.DateTimeField(default=timezone.now)
    actor_id = models.BigIntegerField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    relayed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["id"], condition=models.Q(relayed_at__isnull=True), name="outbox_pending"),
            models.Index(fields=["topic", "occurred_at"], name="outbox_topic_time"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.topic}"


class ConsumedEvent(models.Model):
    """Receipt that a consumer has handled a message: the idempotency key."""

    consumer = models.CharField(max_length=100)
    key = models.CharField(max_length=200)
    consumed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["consumer", "key"], name="consumed_once"),
        ]

    def __str__(self) -> str:
        return f"{self.consumer}:{self.key}"


class AuditAction(models.TextChoices):
    INSERT = "insert", pgettext_lazy("audit action", "Created")
    UPDATE = "update", pgettext_lazy("audit action", "Changed")
    DELETE = "delete", pgettext_lazy("audit action", "Deleted")
    LOGIN = "login", _("Signed in")
    LOGOUT = "logout", _("Signed out")
    LOGIN_FAILED = "login_failed", _("Failed sign-in")
    LOCKOUT = "lockout", _("Locked out")
    UNLOCK = "unlock", _("Unlocked")
    SECOND_FACTOR = "2fa", _("Two-factor sign-in")
    API_KEY_USED = "api_key_used", _("API key used")
    EXPORT = "export", _("Exported")
    IMPORT = "import", _("Imported")


class AuditEntry(models.Model):
    """One change or security event. Rows of business tables are written by a database
    trigger (kernel.audit), so a change made by any path — the ORM, raw SQL, psql — is
    recorded; security events by the product. Database triggers refuse UPDATE, DELETE and
    TRUNCATE on this table."""

    id = models.BigAutoField(primary_key=True)
    occurred_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices)
    table_name = models.CharField(_("table"), max_length=100, blank=True)
    object_id = models.CharField(_("object"), max_length=64, blank=True)
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True)
    actor_label = models.CharField(_("actor"), max_length=200, blank=True)
    client_ip = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    changed_fields = ArrayField(models.CharField(max_length=100), null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["table_name", "object_id", "-occurred_at"], name="audit_object"),
            models.Index(fields=["actor_id", "-occurred_at"], name="audit_actor"),
            models.Index(fields=["action", "-occurred_at"], name="audit_action"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.action} {self.table_name}#{self.object_id}"


class SearchEntry(models.Model):
    """One searchable thing of the tenant (a news article, an FAQ, later a work order…).

    `tokens` holds the text cut for search: Latin words, and Chinese as single characters
    and overlapping pairs (空调不制冷 → 空 调 不 … 空调 调不 不制 制冷), because
    PostgreSQL has no Chinese word splitter; a query is cut the same way (kernel.search).
    """

    kind = models.CharField(max_length=40)
    object_key = models.CharField(max_length=80, unique=True)
    title = models.CharField(max_length=300)
    title_en = models.CharField(max_length=300, blank=True)
    summary = models.TextField(blank=True)
    summary_en = models.TextField(blank=True)
    url = models.CharField(max_length=500)
    # For records that belong to a module: the model whose restrict() decides who sees them.
    model_label = models.CharField(max_length=100, blank=True)
    object_pk = models.BigIntegerField(null=True, blank=True)
    public = models.BooleanField(default=True)
    search_vector = SearchVectorField(null=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [GinIndex(fields=["search_vector"], name="search_entry_vector")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.title}"


class Channel(models.TextChoices):
    INBOX = "inbox", _("In the portal and console")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("Text message")


class Notification(models.Model):
    """A message in someone's inbox (the bell). Created once per outbox event and recipient."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=60)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    source_event = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]
        constraints = [
            models.UniqueConstraint(
                fields=["source_event", "recipient"], name="one_notification_per_event_and_recipient"
            )
        ]

    def __str__(self) -> str:
        return self.title


class NotificationDelivery(models.Model):
    """One notification sent over one outside channel; pending rows are retried until sent."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    address = models.CharField(max_length=254)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], name="one_delivery_per_channel")
        ]
        indexes = [
            models.Index(fields=["created_at"], condition=models.Q(status="pending"), name="delivery_pending")
        ]

    def __str__(self) -> str:
        return f"{self.channel} → {self.address} ({self.status})"


class NotificationPreference(models.Model):
    """A user's choice for one kind of notification on one channel (default: the kind's)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=60)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    enabled = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind", "channel"], name="one_preference")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}/{self.channel}={self.enabled}"


class MessageTemplate(models.Model):
    """A tenant's own wording of a notification kind, per language; {placeholders} only."""

    kind = models.CharField(_("notification"), max_length=60)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    subject = models.CharField(_("title / e-mail subject"), max_length=300)
    body = models.TextField(_("text"))

    scope = Scope(module="portal")

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        constraints = [
            models.UniqueConstraint(fields=["kind", "language"], name="one_template_per_kind_language")
        ]

    def __str__(self) -> str:
        return f"{self.kind} [{self.language}]"


class Reminder(models.Model):
    """A notification due at a time: a row, so that no lost message can lose it."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders"
    )
    due_at = models.DateTimeField(db_index=True)
    kind = models.CharField(max_length=60)
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["due_at"], condition=models.Q(sent_at__isnull=True), name="reminder_due")
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id} at {self.due_at:%Y-%m-%d %H:%M}"


class WebhookEndpoint(models.Model):
    """A partner's URL that receives the events it subscribed to, signed with its secret."""

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=500)
    secret = EncryptedCharField(_("signing secret"), max_plain_length=80, editable=False)
    event_types = ArrayField(
        models.CharField(max_length=100), verbose_name=_("events"), help_text=_("e.g. spaces.room.* or *")
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    scope = Scope(module="webhooks")

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def wants(self, topic: str) -> bool:
        import fnmatch

        return any(fnmatch.fnmatchcase(topic, pattern) for pattern in self.event_types)


class WebhookDelivery(models.Model):
    """One event for one endpoint: retried with growing pauses for 24 h until a 2xx answer."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Gave up")

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.BigIntegerField()
    event_type = models.CharField(max_length=100)
    payload = models.JSONField()
    occurred_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    first_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event_id"], name="one_delivery_per_endpoint_event")
        ]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=models.Q(status="pending"), name="webhook_due")
        ]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.endpoint} ({self.status})"


class WebhookAttempt(models.Model):
    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    attempted_at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    manual = models.BooleanField(default=False)

    class Meta:
        ordering = ["attempted_at", "id"]

    def __str__(self) -> str:
        return f"{self.delivery_id} {self.status_code or self.error}"


def _weekdays() -> list[int]:
    return [0, 1, 2, 3, 4]


class BusinessCalendar(models.Model):
    """The organisation's working time (kernel.calendar); one row, or the defaults."""

    working_weekdays = models.JSONField(_("working weekdays"), default=_weekdays, help_text=_("0 is Monday."))
    day_starts = models.TimeField(_("working day starts"), default=datetime.time(8, 0))
    day_ends = models.TimeField(_("working day ends"), default=datetime.time(17, 30))
    holidays = models.JSONField(_("holidays"), default=list, blank=True, help_text=_("Dates, YYYY-MM-DD."))
    extra_working_days = models.JSONField(
        _("extra working days (调休)"),
        default=list,
        blank=True,
        help_text=_("Weekend dates that are worked."),
    )

    class Meta:
        verbose_name = _("business calendar")

    def __str__(self) -> str:
        return f"{self.day_starts}–{self.day_ends}"
