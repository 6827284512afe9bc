"""Dramatiq middleware that makes every message run in the tenant it was sent from."""

import logging

from django.db import close_old_connections, connection
from dramatiq.middleware import Middleware, MiddlewareError, SkipMessage

from kernel.audit import bind_connection
from kernel.context import PUBLIC, actor_var, request_id_var, tenant_schema_var
from kernel.jobs import REQUEST_ID_OPTION, TENANT_OPTION

logger = logging.getLogger("kernel.jobs")


class TenantNotSet(MiddlewareError):
    """A tenant job sent without a tenant (a MiddlewareError, so dramatiq lets it through)."""


class TenantContextMiddleware(Middleware):
    @property
    def actor_options(self):
        return {"module", "tenant_scoped"}

    # --- producer side ------------------------------------------------------------------
    def before_enqueue(self, broker, message, delay):
        actor = broker.get_actor(message.actor_name)
        tenant_scoped = actor.options.get("tenant_scoped", True)
        schema = message.options.get(TENANT_OPTION)
        if schema is None:
            schema = getattr(connection, "schema_name", PUBLIC)
            message.options[TENANT_OPTION] = schema
        if tenant_scoped and schema == PUBLIC:
            raise TenantNotSet(
                f"{message.actor_name} is a tenant job but was sent from the public schema; "
                "send it inside a tenant (or with .send_to(schema))"
            )
        if REQUEST_ID_OPTION not in message.options:
            request_id = request_id_var.get()
            if request_id != "-":
                message.options[REQUEST_ID_OPTION] = request_id
        actor = actor_var.get()
        if actor is not None and "actor" not in message.options:
            message.options["actor"] = list(actor)

    # --- worker side -------------------------------------------------------------------
    def before_process_message(self, broker, message):
        from kernel import modules
        from tenants.models import Tenant

        close_old_connections()
        actor = broker.get_actor(message.actor_name)
        schema = message.options.get(TENANT_OPTION, PUBLIC)
        message._facilis_tokens = (
            tenant_schema_var.set(schema),
            request_id_var.set(message.options.get(REQUEST_ID_OPTION) or message.message_id),
        )
        connection.set_schema_to_public()
        if not actor.options.get("tenant_scoped", True):
            return
        tenant = Tenant.objects.filter(schema_name=schema, is_template=False).first()
        if tenant is None:
            logger.warning("skipping %s: tenant %s no longer exists", message.actor_name, schema)
            raise SkipMessage()
        if not tenant.is_active:
            logger.info("skipping %s: tenant %s is %s", message.actor_name, schema, tenant.status)
            raise SkipMessage()
        module = actor.options.get("module")
        if module and not modules.is_enabled(module, tenant):
            logger.info("skipping %s: module %s is disabled for %s", message.actor_name, module, schema)
            raise SkipMessage()
        connection.set_tenant(tenant)
        # The audit trail of what the job writes: on behalf of whoever sent it.
        actor_id, actor_label = message.options.get("actor") or (None, "")
        bind_connection(
            actor_id=actor_id,
            actor_label=f"{actor_label} (job {message.actor_name})"
            if actor_label
            else f"job:{message.actor_name}",
            client_address=None,
            request_id=message.options.get(REQUEST_ID_OPTION) or message.message_id,
        )

    def after_process_message(self, broker, message, *, result=None, exception=None):
        self._reset(message)

    def after_skip_message(self, broker, message):
        self._reset(message)

    @staticmethod
    def _reset(message):
        connection.set_schema_to_public()
        tokens = getattr(message, "_facilis_tokens", None)
        if tokens:
            tenant_schema_var.reset(tokens[0])
            request_id_var.reset(tokens[1])
