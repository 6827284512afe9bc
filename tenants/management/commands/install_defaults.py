from django.core.management.base import BaseCommand

from kernel import modules
from kernel.context import tenant_schema
from tenants.actions import install_default_data
from tenants.models import Tenant


class Command(BaseCommand):
    help = (
        "Give every tenant the default data of the modules it uses (idempotent): after an upgrade "
        "brings a new module or new defaults (e.g. seed workflows), existing tenants get them too."
    )

    def handle(self, *args, **options):
        count = 0
        for tenant in (
            Tenant.objects.filter(is_template=False).exclude(status="deleted").order_by("schema_name")
        ):
            with tenant_schema(tenant.schema_name):
                install_default_data(tenant, modules.enabled_keys(tenant))
            count += 1
        self.stdout.write(f"default data checked in {count} tenant(s)")
