"""Who and what the current unit of work is for: tenant schema and request id.

Set by the HTTP middleware for a request and by the job middleware for a message;
read by logging, Sentry and the outbox. Context variables, so threads and async
tasks each see their own.
"""

import contextlib
import re
import uuid
from collections.abc import Iterator
from contextvars import ContextVar

PUBLIC = "public"

tenant_schema_var: ContextVar[str] = ContextVar("tenant_schema", default="-")
request_id_var: ContextVar[str] = ContextVar("request_id", default="-")
# (user id, login) of who acts, for the audit trail of work done in jobs on their behalf.
actor_var: ContextVar[tuple[int, str] | None] = ContextVar("actor", default=None)

_REQUEST_ID_OK = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def new_request_id(incoming: str | None = None) -> str:
    """Keep a well-formed incoming X-Request-ID (from a proxy); otherwise make one."""
    if incoming and _REQUEST_ID_OK.match(incoming):
        return incoming
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    value = request_id_var.get()
    return None if value == "-" else value


@contextlib.contextmanager
def bound(schema: str | None = None, request_id: str | None = None) -> Iterator[None]:
    """Bind tenant schema and/or request id for the duration of a block."""
    tokens = []
    if schema is not None:
        tokens.append((tenant_schema_var, tenant_schema_var.set(schema)))
    if request_id is not None:
        tokens.append((request_id_var, request_id_var.set(request_id)))
    try:
        yield
    finally:
        for var, token in reversed(tokens):
            var.reset(token)


@contextlib.contextmanager
def tenant_schema(schema_name: str) -> Iterator[None]:
    """Run a block against a tenant's schema (database, cache keys, files, logs)."""
    from django_tenants.utils import schema_context

    with schema_context(schema_name), bound(schema=schema_name):
        yield
