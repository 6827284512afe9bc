"""Background work of reports: the scheduled e-mails (sent by the periodic scheduler to every
tenant every 5 minutes; see apps.py)."""

from datetime import timedelta

from kernel.jobs import tenant_actor
from lowcode.reports import schedules


@tenant_actor(name="reports.send_due", queue="default", max_retries=0, time_limit=timedelta(minutes=10))
def send_due() -> None:
    schedules.send_due()
