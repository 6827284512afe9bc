import time

from django.core.management.base import BaseCommand, CommandError

from tenants.actions import TenantActionError, TenantRequest, provision_tenant
from tenants.models import TenantKind


class Command(BaseCommand):
    help = "Create a tenant: its schema (cloned from the template), domain and first administrator."

    def add_arguments(self, parser):
        parser.add_argument("--schema", required=True, help="code and schema name, e.g. h3")
        parser.add_argument("--name", required=True)
        parser.add_argument("--name-en", default="")
        parser.add_argument("--kind", required=True, choices=TenantKind.values)
        parser.add_argument("--domain", required=True)
        parser.add_argument("--parent", default=None, help="schema of the group headquarters")
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--admin-password", required=True)
        parser.add_argument("--admin-name", default="")
        parser.add_argument("--locale", default="zh-hans")
        parser.add_argument("--time-zone", default="Asia/Shanghai")
        parser.add_argument(
            "--module", action="append", default=[], dest="modules", help="enable a module (repeatable)"
        )

    def handle(self, *args, **o):
        req = TenantRequest(
            schema_name=o["schema"],
            name=o["name"],
            name_en=o["name_en"],
            kind=o["kind"],
            domain=o["domain"],
            parent_schema=o["parent"],
            admin_email=o["admin_email"],
            admin_password=o["admin_password"],
            admin_name=o["admin_name"],
            locale=o["locale"],
            time_zone=o["time_zone"],
            modules=o["modules"],
        )
        started = time.perf_counter()
        try:
            tenant = provision_tenant(req, actor="manage.py")
        except TenantActionError as exc:
            lines = [exc.message] + [
                f"  {field}: {msg}" for field, msgs in exc.errors.items() for msg in msgs
            ]
            raise CommandError("\n".join(lines)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"tenant {tenant.schema_name} ({tenant.name}) ready at {req.domain} "
                f"in {time.perf_counter() - started:.2f} s"
            )
        )
