"""The periodic scheduler: sends each module's periodic jobs to every tenant that has it.

Run one or more with `manage.py run_scheduler`; a Redis lock per job and firing time
makes sure each firing is sent once however many schedulers run. Timers that matter
live in the database (ARCHITECTURE.md §3.7): a periodic job acts on what is due, so a
firing lost while no scheduler ran is caught up by the next one.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import dramatiq
from cronsim import CronSim
from django.conf import settings
from django.db import close_old_connections

from kernel import modules
from kernel.redis import get_redis

logger = logging.getLogger("kernel.scheduler")


@dataclass
class Firing:
    spec: modules.ModuleSpec
    job: modules.PeriodicJob
    at: datetime


def _floor(moment: datetime, every: timedelta) -> datetime:
    step = every.total_seconds()
    return datetime.fromtimestamp((moment.timestamp() // step) * step, tz=UTC)


def due_firings(since: datetime, until: datetime) -> list[Firing]:
    """Firings in (since, until] of every declared periodic job (at most one per job)."""
    firings = []
    for spec, job in modules.periodic_jobs():
        if job.every is not None:
            at = _floor(until, job.every)
            if at > since:
                firings.append(Firing(spec, job, at))
        else:
            # Cron expressions are read in UTC.
            latest = None
            for at in CronSim(job.cron, since.replace(microsecond=0)):
                if at > until:
                    break
                latest = at
            if latest is not None and latest > since:
                firings.append(Firing(spec, job, latest))
    return firings


def tenants_for(spec: modules.ModuleSpec):
    """Active tenants (not the template) that have the module enabled."""
    from tenants.models import ModuleEnablement, Tenant, TenantStatus

    tenants = Tenant.objects.filter(status=TenantStatus.ACTIVE, is_template=False)
    if not (spec.always_on or spec.internal):
        enabled = ModuleEnablement.objects.filter(module_key=spec.key, enabled=True)
        tenants = tenants.filter(pk__in=enabled.values("tenant_id"))
    return tenants.order_by("schema_name")


def claim(firing: Firing) -> bool:
    """True for exactly one scheduler per job and firing time."""
    key = f"{settings.REDIS_KEY_PREFIX}:scheduler:{firing.job.name}:{int(firing.at.timestamp())}"
    return bool(get_redis().set(key, "1", nx=True, ex=24 * 3600))


def fan_out(firing: Firing) -> int:
    """Send the job to every tenant that should run it; returns how many were sent."""
    actor = dramatiq.get_broker().get_actor(firing.job.actor)
    if not actor.options.get("tenant_scoped", True):
        actor.send_with_options(kwargs=firing.job.kwargs, tenant_schema="public")
        return 1
    sent = 0
    for schema in tenants_for(firing.spec).values_list("schema_name", flat=True):
        actor.send_to(schema, **firing.job.kwargs)
        sent += 1
    return sent


def tick(since: datetime, until: datetime) -> list[tuple[Firing, int]]:
    """Send everything due in (since, until] that no other scheduler has sent."""
    sent = []
    for firing in due_firings(since, until):
        if claim(firing):
            count = fan_out(firing)
            logger.info("fired %s at %s to %d tenant(s)", firing.job.name, firing.at, count)
            sent.append((firing, count))
    return sent


class Scheduler:
    def __init__(self, tick_seconds: float | None = None):
        self.tick_seconds = tick_seconds or settings.SCHEDULER_TICK_SECONDS
        self.stopping = threading.Event()

    def stop(self, *_args) -> None:
        self.stopping.set()

    def run(self) -> None:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        last = datetime.now(UTC) - timedelta(seconds=self.tick_seconds)
        logger.info("scheduler started with %d periodic job(s)", len(modules.periodic_jobs()))
        while not self.stopping.is_set():
            now = datetime.now(UTC)
            try:
                close_old_connections()
                tick(last, now)
                last = now
            except Exception:
                logger.exception("scheduler tick failed; retrying")
            self.stopping.wait(self.tick_seconds)
        logger.info("scheduler stopped")


def run_forever() -> None:
    Scheduler().run()
    # Give in-flight sends a moment to reach Redis before the process exits.
    time.sleep(0.1)
