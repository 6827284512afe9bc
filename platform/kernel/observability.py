"""Logs and Sentry events carry the tenant and the request id; Sentry never gets personal data.

Importable from settings (no Django models at import time).
"""

import logging
import re
from typing import Any

from kernel.context import request_id_var, tenant_schema_var

FILTERED = "[Filtered]"

# E-mail addresses, mainland mobile numbers, landlines with area code, resident ID numbers.
_PII_PATTERNS = [
    re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"),
    re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)"),
    re.compile(r"(?<!\d)0\d{2,3}-\d{7,8}(?!\d)"),
    re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)"),
]
_SENSITIVE_KEYS = re.compile(
    r"(email|e-mail|phone|mobile|tel|password|passwd|secret|token|api[_-]?key|authorization|"
    r"cookie|session|id_number|idcard|csrf)",
    re.IGNORECASE,
)


class ContextFilter(logging.Filter):
    """Adds `tenant` and `request_id` to every log record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.tenant = tenant_schema_var.get()
        record.request_id = request_id_var.get()
        return True


def scrub_text(text: str) -> str:
    for pattern in _PII_PATTERNS:
        text = pattern.sub(FILTERED, text)
    return text


def scrub(value: Any, key: str | None = None) -> Any:
    """Return a copy of `value` with personal data replaced, recursively."""
    if key is not None and _SENSITIVE_KEYS.search(key):
        return FILTERED if value not in (None, "", [], {}) else value
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        return {k: scrub(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(v) for v in value]
    return value


def before_send(event: dict, hint: dict) -> dict:
    """Sentry hook: tag the tenant and request id, then scrub personal data."""
    tags = event.setdefault("tags", {})
    tags.setdefault("tenant", tenant_schema_var.get())
    tags.setdefault("request_id", request_id_var.get())
    user = event.get("user")
    if isinstance(user, dict):
        # Keep only the opaque id: no e-mail, user name or address leaves the process.
        event["user"] = {k: v for k, v in user.items() if k == "id"}
    for key in ("request", "extra", "contexts", "breadcrumbs", "exception", "logentry", "message"):
        if key in event:
            event[key] = scrub(event[key])
    return event


def init_sentry(dsn: str, *, environment: str, release: str, traces_sample_rate: float = 0.0) -> bool:
    """Start the Sentry SDK with the Django and Dramatiq integrations. No DSN, no Sentry."""
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.dramatiq import DramatiqIntegration
    from sentry_sdk.integrations.logging import LoggingIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        # Collect no user identity, bodies, local variables or query parameters;
        # before_send scrubs what remains (messages, breadcrumbs, URLs).
        data_collection={
            "user_info": False,
            "http_bodies": [],
            "stack_frame_variables": False,
            "database_query_data": False,
        },
        traces_sample_rate=traces_sample_rate,
        before_send=before_send,
        before_send_transaction=before_send,
        integrations=[
            DjangoIntegration(),
            DramatiqIntegration(),
            LoggingIntegration(level=logging.INFO, event_level=logging.ERROR),
        ],
    )
    return True
