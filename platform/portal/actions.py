"""Writes of the portal that go beyond Wagtail's own page editing."""

from django.db import transaction

from kernel import notifications
from kernel.models import OutboxEvent
from portal.models import ArticleKind, ArticlePage


def announce(page, *, actor=None) -> bool:
    """Tell every active user about a newly published announcement (once per page)."""
    from identity.models import User

    if not isinstance(page, ArticlePage) or page.kind != ArticleKind.NOTICE:
        return False
    already = OutboxEvent.objects.filter(
        topic=notifications.TOPIC, payload__kind="portal.announcement", payload__url=page.url or ""
    )
    if already.exists():
        return False  # republished after a correction: no second announcement
    with transaction.atomic():
        notifications.notify(
            User.objects.filter(is_active=True).values_list("pk", flat=True),
            "portal.announcement",
            params={"title": page.title, "summary": page.summary},
            url=page.url or "",
            actor=actor,
        )
    return True
