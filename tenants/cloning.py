"""Tenant schemas: the migrated template, and new schemas cloned from it.

Running every migration for a new tenant takes ~10 s (Wagtail alone has dozens of
migrations); copying a migrated template takes a fraction of that. The template schema
is a Tenant row flagged `is_template`, so `migrate_schemas` keeps it current along with
every tenant (docs/adr/0002-tenancy.md).

Copying: the template is dumped once per migration state with pg_dump (schema and rows,
the schema name replaced by a placeholder) into `TemplateSnapshot`; a new schema is that
SQL run with its own name, ~0.2 s whatever the number of schemas in the database. Where
pg_dump is unavailable, django-tenants' PL/pgSQL clone_schema is the fallback; it walks
the catalogue and slows down as schemas accumulate (docs/benchmarks.md).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import subprocess
from glob import glob

from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django_tenants.clone import CloneSchema
from django_tenants.utils import quote_schema_name
from django_tenants.utils import schema_exists as _schema_exists

logger = logging.getLogger("tenants.cloning")

PLACEHOLDER = "__facilis_template_schema__"


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


def _fingerprint(migrations) -> str:
    from kernel.audit import AUDIT_SQL_VERSION

    # The audit triggers are installed after migrations, not by them: their version counts too.
    return hashlib.sha256((repr(sorted(migrations)) + AUDIT_SQL_VERSION).encode()).hexdigest()


def template_fingerprint() -> str:
    """Identifies the template's migration state: a new migration, a new snapshot."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT app, name FROM {quote_schema_name(template_schema())}.django_migrations")
        return _fingerprint(cursor.fetchall())


_MIGRATION_ROW = re.compile(r"^INSERT INTO \S+\.django_migrations VALUES \(\d+, '([^']*)', '([^']*)'")


def _dump_fingerprint(sql: str) -> str:
    """The fingerprint of the migration state the dump itself holds."""
    return _fingerprint([match.groups() for match in map(_MIGRATION_ROW.match, sql.splitlines()) if match])


def _pg_dump() -> str | None:
    configured = getattr(settings, "PG_DUMP", "") or os.environ.get("PG_DUMP", "")
    if configured:
        return configured
    candidates = sorted(glob("/usr/lib/postgresql/*/bin/pg_dump"), key=_version_key)
    return candidates[-1] if candidates else shutil.which("pg_dump")


def _version_key(path: str) -> int:
    match = re.search(r"/postgresql/(\d+)/", path)
    return int(match.group(1)) if match else 0


_SKIP_LINE = re.compile(r"^(--|\\|SET |SELECT pg_catalog\.set_config\('search_path')")


def dump_template() -> str | None:
    """The template schema as a replayable SQL script with a placeholder schema name."""
    pg_dump = _pg_dump()
    if not pg_dump:
        return None
    db = settings.DATABASES["default"]
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
    args = [pg_dump, "--schema", template_schema(), "--no-owner", "--no-privileges", "--inserts"]
    args += [
        "-h",
        db.get("HOST") or "localhost",
        "-p",
        str(db.get("PORT") or 5432),
        "-U",
        db.get("USER") or "postgres",
    ]
    args.append(db["NAME"])
    try:
        result = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120, check=True)
    except (OSError, subprocess.SubprocessError) as exc:
        logger.warning("pg_dump of the template failed (%s); falling back to clone_schema", exc)
        return None
    name = template_schema()
    lines = []
    for line in result.stdout.splitlines():
        if _SKIP_LINE.match(line):
            continue
        if line.startswith("INSERT INTO ") and name in line.split(" VALUES ", 1)[-1]:
            # The schema's name appears inside the data: a blind replacement would alter it.
            logger.warning("template data mentions %r; falling back to clone_schema", name)
            return None
        lines.append(line)
    return re.sub(rf"\b{re.escape(name)}\b", PLACEHOLDER, "\n".join(lines))


def current_snapshot():
    """The snapshot for the template's current migration state, taken now if missing."""
    from tenants.models import TemplateSnapshot

    fingerprint = template_fingerprint()
    snapshot = TemplateSnapshot.objects.filter(fingerprint=fingerprint).first()
    if snapshot is not None:
        return snapshot
    sql = dump_template()
    if sql is None:
        return None
    if _dump_fingerprint(sql) != fingerprint:
        # pg_dump sees only committed state; this transaction sees more (a migration
        # in progress). The dump would be stale: copy from the catalogue instead.
        logger.info("template changed in this transaction; not snapshotting")
        return None
    with transaction.atomic():
        TemplateSnapshot.objects.exclude(fingerprint=fingerprint).delete()
        snapshot, _created = TemplateSnapshot.objects.get_or_create(
            fingerprint=fingerprint, defaults={"sql": sql}
        )
    return snapshot


def clone_template(target: str) -> None:
    """Create schema `target` as a copy of the template: tables, indexes, sequences, rows."""
    source = template_schema()
    if not schema_exists(source):
        raise RuntimeError(
            f"The template schema {source!r} is missing; run `manage.py prepare_template` "
            "and `manage.py migrate_schemas`."
        )
    if schema_exists(target):
        raise RuntimeError(f"schema {target!r} already exists")
    connection.set_schema_to_public()
    snapshot = current_snapshot()
    if snapshot is not None:
        with connection.cursor() as cursor:
            cursor.execute(snapshot.sql.replace(PLACEHOLDER, target))
    else:
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
