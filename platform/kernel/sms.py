"""Text messages through a provider interface (SMS_PROVIDER); the default only logs."""

import logging
from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("kernel.sms")


class SmsProvider:
    """Send one text message; raise on failure (the delivery is retried)."""

    def send(self, phone: str, text: str) -> None:
        raise NotImplementedError


class LoggingSmsProvider(SmsProvider):
    """For development and tests, and until a tenant contracts a gateway: writes a log line
    (the number masked) and keeps the last messages in memory for inspection."""

    def __init__(self):
        self.sent: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        from identity.personal_data import mask_phone

        self.sent.append((phone, text))
        del self.sent[:-100]
        logger.info("SMS to %s: %s", mask_phone(phone), text)


@cache
def get_sms_provider() -> SmsProvider:
    return import_string(getattr(settings, "SMS_PROVIDER", "kernel.sms.LoggingSmsProvider"))()
