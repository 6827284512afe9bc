"""Background work of work orders: the sweep (auto-accept, SLA reminders and escalation)."""

from datetime import timedelta

from kernel.jobs import tenant_actor
from modules.workorders import actions


@tenant_actor(name="workorders.sweep", queue="default", max_retries=0, time_limit=timedelta(minutes=5))
def sweep() -> None:
    actions.sweep()
