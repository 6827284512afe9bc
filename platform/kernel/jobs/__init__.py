"""Background jobs that carry their tenant.

    from kernel.jobs import tenant_actor

    @tenant_actor(name="spaces.recount_rooms", queue="default", max_retries=3,
                  time_limit=timedelta(minutes=2), module="spaces")
    def recount_rooms(building_id: int) -> None: ...

    recount_rooms.send_on_commit(building.pk)   # after the current transaction commits

The message records the schema it was sent from; the worker activates that schema
before the actor runs and resets it afterwards (kernel.jobs.middleware). A job of a
module the tenant has disabled, or of a suspended or deleted tenant, is skipped.
"""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Any

import dramatiq
from django.db import connection, transaction

from kernel.context import PUBLIC, current_request_id

TENANT_OPTION = "tenant_schema"
REQUEST_ID_OPTION = "request_id"


class TenantActor(dramatiq.Actor):
    """A dramatiq actor that knows its tenant and can wait for the transaction."""

    def send_to(self, schema_name: str, *args: Any, **kwargs: Any) -> dramatiq.Message:
        """Send for an explicit tenant (the scheduler's fan-out, operator tools)."""
        return self.send_with_options(args=args, kwargs=kwargs, **{TENANT_OPTION: schema_name})

    def send_on_commit(self, *args: Any, **kwargs: Any) -> None:
        """Send once the current transaction commits; never if it rolls back.

        The tenant and request id are captured now, not when the callback runs.
        """
        options = {TENANT_OPTION: connection.schema_name}
        request_id = current_request_id()
        if request_id:
            options[REQUEST_ID_OPTION] = request_id
        transaction.on_commit(
            partial(self.send_with_options, args=args, kwargs=kwargs, **options), robust=False
        )


def tenant_actor(
    *,
    name: str,
    queue: str = "default",
    max_retries: int = 5,
    time_limit: timedelta = timedelta(minutes=5),
    min_backoff: timedelta = timedelta(seconds=5),
    max_backoff: timedelta = timedelta(minutes=30),
    module: str | None = None,
    tenant_scoped: bool = True,
    priority: int = 0,
):
    """Declare a job. Name, queue, retries and time limit are explicit and mandatory in spirit:
    the name is the contract between producer and worker and must survive refactoring.

    `module`: the job is skipped for a tenant that has not enabled the module.
    `tenant_scoped=False`: a platform job that runs in the public schema.
    """

    def decorator(fn):
        return dramatiq.actor(
            fn,
            actor_class=TenantActor,
            actor_name=name,
            queue_name=queue,
            priority=priority,
            max_retries=max_retries,
            time_limit=int(time_limit.total_seconds() * 1000),
            min_backoff=int(min_backoff.total_seconds() * 1000),
            max_backoff=int(max_backoff.total_seconds() * 1000),
            module=module,
            tenant_scoped=tenant_scoped,
        )

    return decorator


def schema_of(message: dramatiq.Message) -> str:
    return message.options.get(TENANT_OPTION, PUBLIC)
