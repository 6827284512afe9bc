"""Tenant schemas: the migrated template, and new schemas cloned from it.

Running every migration for a new tenant takes ~10 s (Wagtail alone has dozens);
copying a migrated template takes a fraction of that. The template schema is a
Tenant row flagged `is_template`, so `migrate_schemas` keeps it current along with
every tenant (docs/adr/0002-tenancy.md).
"""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django_tenants.clone import CloneSchema
from django_tenants.utils import quote_schema_name
from django_tenants.utils import schema_exists as _schema_exists


def schema_exists(name: str) -> bool:
    return _schema_exists(name, case_sensitive=False)


def template_schema() -> str:
    return settings.TENANT_TEMPLATE_SCHEMA


def ensure_template(verbosity: int = 0):
    """Create and migrate the template schema if missing. Returns its Tenant row."""
    from tenants.models import Tenant, TenantKind

    connection.set_schema_to_public()
    name = template_schema()
    tenant, _created = Tenant.objects.get_or_create(
        schema_name=name,
        defaults={"name": "Template", "kind": TenantKind.ENTERPRISE, "is_template": True},
    )
    if not tenant.is_template:
        raise RuntimeError(f"schema {name!r} belongs to a real tenant; cannot use it as the template")
    if not schema_exists(name):
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE SCHEMA {quote_schema_name(name)}")
        call_command("migrate_schemas", schema_name=name, tenant=True, interactive=False, verbosity=verbosity)
    connection.set_schema_to_public()
    return tenant


def clone_template(target: str) -> None:
    """Create schema `target` as a copy of the template: tables, indexes, sequences, rows."""
    source = template_schema()
    if not schema_exists(source):
        raise RuntimeError(
            f"The template schema {source!r} is missing; run `manage.py migrate_schemas` "
            "after `manage.py prepare_template`."
        )
    CloneSchema().clone_schema(source, target, "DATA")
    connection.set_schema_to_public()


def drop_schema(name: str) -> None:
    if name in ("public", template_schema()):
        raise ValueError(f"refusing to drop {name!r}")
    with connection.cursor() as cursor:
        # Fire deferred constraint checks first: PostgreSQL refuses to drop a table
        # with pending trigger events in the same transaction.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"DROP SCHEMA IF EXISTS {quote_schema_name(name)} CASCADE")
