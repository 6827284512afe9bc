"""Background work of workflows: the timer sweep (reminders and escalations)."""

from datetime import timedelta

from kernel.jobs import tenant_actor
from lowcode.workflows import actions


@tenant_actor(name="workflows.sweep", queue="default", max_retries=0, time_limit=timedelta(minutes=5))
def sweep() -> None:
    actions.sweep()
