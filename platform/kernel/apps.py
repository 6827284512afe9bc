from datetime import timedelta

from django.conf import settings
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

from kernel.modules import ModuleAppConfig, ModuleSpec, PeriodicJob


class KernelConfig(ModuleAppConfig):
    name = "kernel"
    verbose_name = _("Kernel")
    module_spec = ModuleSpec(
        key="kernel",
        name_zh="平台内核",
        name_en="Platform kernel",
        internal=True,
        periodic_jobs=(
            # Safety net: events are relayed right after commit; this catches any
            # relay message lost on the way.
            PeriodicJob(
                actor="kernel.relay_outbox",
                every=timedelta(seconds=settings.OUTBOX_RELAY_INTERVAL_SECONDS),
            ),
        ),
    )

    def ready(self) -> None:
        super().ready()
        # Actors and outbox consumers register themselves on import; import them
        # everywhere so that producers, workers and the scheduler agree.
        autodiscover_modules("tasks", "consumers")
        from kernel import checks  # noqa: F401 - registers system checks
