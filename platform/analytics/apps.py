from datetime import timedelta

from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    """Cross-tenant facts for group headquarters, in the public schema (ARCHITECTURE.md §4)."""

    name = "analytics"
    verbose_name = "Analytics"
    default_auto_field = "django.db.models.BigAutoField"


RECONCILE_EVERY = timedelta(hours=24)
