"""The audit trail: a database trigger on every business table, and the context it reads.

Every INSERT, UPDATE and DELETE on an audited table fires `facilis_audit()`, which writes
a row to `kernel_auditentry` in the same schema with the old and new row (as JSON), the
changed columns, and who did it. "Who" comes from session settings the product sets on
its database connection for each request and job (`bind_connection`): actor id and
label, client address, request id. A change made outside the product (psql, a script)
is recorded too, with the database user as the actor ("db:postgres").

The audit table refuses UPDATE, DELETE and TRUNCATE through triggers of its own, so no
path of the product can alter the record; only dropping the tenant's schema removes it.

Triggers are (re)installed after every migration of a schema (post_migrate), so a new
audited model gets one with the migration that creates its table; clones of the
template inherit them.
"""

from __future__ import annotations

import logging

from django.apps import apps
from django.db import connection

from kernel.context import current_request_id

logger = logging.getLogger("kernel.audit")

# Bump when the SQL below changes: it is part of the template snapshot's fingerprint.
AUDIT_SQL_VERSION = "2026-11-22.1"

# Columns never copied into the trail (their change is still listed in changed_fields).
REDACTED_COLUMNS = ("password",)

FUNCTIONS_SQL = """
CREATE OR REPLACE FUNCTION {schema}.facilis_audit() RETURNS trigger
LANGUAGE plpgsql SET search_path = {schema}, public AS $$
DECLARE
    old_row jsonb;
    new_row jsonb;
    changed text[];
    actor text := nullif(current_setting('facilis.actor_id', true), '');
    label text := nullif(current_setting('facilis.actor_label', true), '');
    address text := nullif(current_setting('facilis.client_ip', true), '');
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN old_row := to_jsonb(OLD); END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN new_row := to_jsonb(NEW); END IF;
    IF TG_OP = 'UPDATE' THEN
        SELECT array_agg(n.key ORDER BY n.key) INTO changed
          FROM jsonb_each(new_row) AS n
         WHERE n.value IS DISTINCT FROM old_row -> n.key;
        IF changed IS NULL THEN
            RETURN NULL;  -- nothing changed: nothing to record
        END IF;
    END IF;
    old_row := old_row - {redacted};
    new_row := new_row - {redacted};
    INSERT INTO {schema}.kernel_auditentry
        (occurred_at, action, table_name, object_id, actor_id, actor_label, client_ip,
         request_id, before, after, changed_fields, detail)
    VALUES
        (clock_timestamp(), lower(TG_OP), TG_TABLE_NAME,
         coalesce(new_row ->> 'id', old_row ->> 'id', ''),
         actor::bigint, coalesce(label, 'db:' || session_user), address::inet,
         coalesce(current_setting('facilis.request_id', true), ''),
         old_row, new_row, changed, '{{}}'::jsonb);
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION {schema}.facilis_audit_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail cannot be changed or deleted (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE OR REPLACE TRIGGER facilis_audit_immutable
    BEFORE UPDATE OR DELETE ON {schema}.kernel_auditentry
    FOR EACH ROW EXECUTE FUNCTION {schema}.facilis_audit_immutable();
CREATE OR REPLACE TRIGGER facilis_audit_no_truncate
    BEFORE TRUNCATE ON {schema}.kernel_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.facilis_audit_immutable();
"""

TABLE_TRIGGER_SQL = """
CREATE OR REPLACE TRIGGER facilis_audit
    AFTER INSERT OR UPDATE OR DELETE ON {schema}.{table}
    FOR EACH ROW EXECUTE FUNCTION {schema}.facilis_audit();
"""

# Apps whose tables hold business data, besides the modules (which are all audited).
CORE_AUDITED_APPS = ("identity",)
# Tables of those apps that are not business data.
NOT_AUDITED = {"identity_passwordhistory", "identity_importjob"}


def audited_tables() -> list[str]:
    """Every table whose changes are recorded: identity's and every module's, with their
    many-to-many link tables (so a role given to a user is recorded)."""

    labels = set(CORE_AUDITED_APPS)
    excluded = set(NOT_AUDITED)
    for config in apps.get_app_configs():
        spec = getattr(config, "module_spec", None)
        if spec is not None and not spec.internal:
            labels.add(config.label)
            excluded |= {f"{config.label}_{name.lower()}" for name in spec.audit_exclude}
    tables: set[str] = set()
    for label in labels:
        for model in apps.get_app_config(label).get_models():
            tables.add(model._meta.db_table)
            for field in model._meta.local_many_to_many:
                tables.add(field.remote_field.through._meta.db_table)
    return sorted(tables - excluded)


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def install_triggers(schema: str) -> int:
    """Create or replace the audit function and triggers in `schema`. Returns tables covered."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = %s", [schema])
        existing = {row[0] for row in cursor.fetchall()}
        if "kernel_auditentry" not in existing:
            return 0
        redacted = "ARRAY[" + ", ".join(f"'{col}'" for col in REDACTED_COLUMNS) + "]::text[]"
        cursor.execute(FUNCTIONS_SQL.format(schema=_quote(schema), redacted=redacted))
        tables = [table for table in audited_tables() if table in existing]
        if tables:
            cursor.execute(
                "".join(TABLE_TRIGGER_SQL.format(schema=_quote(schema), table=_quote(t)) for t in tables)
            )
    return len(tables)


def install_after_migrate(sender, **kwargs) -> None:
    """post_migrate: keep the triggers of the schema just migrated in step with the code."""
    if sender.label != "kernel":
        return  # once per migrate run is enough
    schema = getattr(connection, "schema_name", "public")
    count = install_triggers(schema)
    logger.debug("audit triggers on %d tables of %s", count, schema)


def client_ip(request) -> str | None:
    from django.conf import settings

    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if forwarded and hops:
        addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
        if len(addresses) >= hops:
            return addresses[-hops]
    return request.META.get("REMOTE_ADDR") or None


def bind_connection(
    *, actor_id: int | None, actor_label: str, client_address: str | None, request_id: str | None
) -> None:
    """Tell the database who is acting, for the triggers (until the next bind)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('facilis.actor_id', %s, false), set_config('facilis.actor_label', %s, false), "
            "set_config('facilis.client_ip', %s, false), set_config('facilis.request_id', %s, false)",
            [str(actor_id) if actor_id else "", actor_label or "", client_address or "", request_id or ""],
        )


def bind_request(request) -> None:
    from kernel.context import actor_var

    user = getattr(request, "principal", None) or getattr(
        request, "user", None
    )  # a partner's key, or the user
    authenticated = user is not None and user.is_authenticated
    if authenticated:
        actor_var.set((user.pk, user.get_username()))
    else:
        actor_var.set(None)
    bind_connection(
        actor_id=user.pk if authenticated else None,
        actor_label=user.get_username() if authenticated else "anonymous",
        client_address=client_ip(request),
        request_id=getattr(request, "request_id", None),
    )


def record(
    action: str,
    *,
    actor=None,
    actor_label: str = "",
    request=None,
    table: str = "",
    object_id="",
    detail=None,
):
    """Write a security or bulk event (sign-ins, lockouts, exports) to the trail."""
    from kernel.models import AuditEntry

    if actor is not None and getattr(actor, "is_authenticated", False):
        actor_id, label = actor.pk, actor.get_username()
    else:
        actor_id, label = None, actor_label or "anonymous"
    return AuditEntry.objects.create(
        action=action,
        table_name=table,
        object_id=str(object_id or ""),
        actor_id=actor_id,
        actor_label=label[:200],
        client_ip=client_ip(request) if request is not None else None,
        request_id=(getattr(request, "request_id", None) or current_request_id() or "")[:64],
        detail=detail or {},
    )


class AuditContextMiddleware:
    """After authentication: bind the actor, address and request id to the connection."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        bind_request(request)
        return self.get_response(request)
