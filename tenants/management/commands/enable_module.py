from django.core.management.base import BaseCommand, CommandError

from kernel import modules
from tenants.actions import TenantActionError, set_module_enabled
from tenants.models import Tenant


class Command(BaseCommand):
    help = "Switch a module on for a tenant."
    enabled = True

    def add_arguments(self, parser):
        parser.add_argument("schema", help="the tenant's schema")
        parser.add_argument("module", help="the module's key")

    def handle(self, *args, schema, module, **options):
        tenant = Tenant.objects.filter(schema_name=schema, is_template=False).first()
        if tenant is None:
            raise CommandError(f"no tenant with schema {schema!r}")
        try:
            set_module_enabled(tenant, module, self.enabled, actor="manage.py")
        except modules.UnknownModule as exc:
            known = ", ".join(spec.key for spec in modules.visible_modules())
            raise CommandError(f"{exc}; known modules: {known}") from exc
        except TenantActionError as exc:
            raise CommandError(exc.message) from exc
        state = "on" if self.enabled else "off"
        self.stdout.write(self.style.SUCCESS(f"module {module} is {state} for {schema}"))
