from django.core.management.base import BaseCommand

from tenants.cloning import ensure_template


class Command(BaseCommand):
    help = "Create and migrate the template schema new tenants are cloned from (idempotent)."

    def handle(self, *args, **options):
        tenant = ensure_template(verbosity=options["verbosity"] - 1 if options["verbosity"] else 0)
        self.stdout.write(f"template schema {tenant.schema_name} is ready")
