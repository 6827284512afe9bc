"""Kernel tables in every tenant schema: the outbox and its consumers' receipts."""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _


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
