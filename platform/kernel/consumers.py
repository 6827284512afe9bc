"""Outbox consumers of the kernel itself (modules keep theirs in their own consumers.py)."""

from kernel import (
    notifications,  # noqa: F401 - registers the "notifications" consumer
    webhooks,  # noqa: F401 - registers the "webhooks" consumer
)
