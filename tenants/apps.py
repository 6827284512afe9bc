from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenantsConfig(AppConfig):
    """Public-schema app: tenants, domains, module enablement, provisioning, operator site."""

    name = "tenants"
    verbose_name = _("Tenants")
