"""Kernel tables in every tenant schema: the outbox and its consumers' receipts."""

from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
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
