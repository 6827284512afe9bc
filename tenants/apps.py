from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenantsConfig(AppConfig):
    """Public-schema app: tenants, domains, module enablement, provisioning, operator site."""

    name = "tenants"
    verbose_name = _("Tenants")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from tenants.models import Domain, Tenant
        from tenants.routing import invalidate_on_commit

        for model in (Tenant, Domain):
            post_save.connect(invalidate_on_commit, sender=model, dispatch_uid=f"route-{model.__name__}-save")
            post_delete.connect(
                invalidate_on_commit, sender=model, dispatch_uid=f"route-{model.__name__}-delete"
            )
