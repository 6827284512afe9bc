from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    """Users (operators in the public schema, people in each tenant schema) and departments."""

    name = "identity"
    verbose_name = _("Identity and organisation")
