from datetime import timedelta

from kernel.modules import MenuItem, ModuleAppConfig, ModuleSpec, PeriodicJob


class ProbeConfig(ModuleAppConfig):
    name = "tests.probe_module"
    label = "probe"
    module_spec = ModuleSpec(
        key="probe",
        name_zh="探针模块",
        name_en="Probe module",
        menu_items=(MenuItem("probe-home", "Probe", "probe_console:index", order=1),),
        console_viewsets=("tests.probe_module.console.probe_console",),
        urls="tests.probe_module.urls",
        graphql_query="tests.probe_module.schema.ProbeQuery",
        periodic_jobs=(PeriodicJob(actor="probe.tick", every=timedelta(seconds=60)),),
        default_data="tests.probe_module.defaults.install",
        portal_entries=(("Probe", "probe:hello", "cog"),),
        menu_order=900,
        workflow_subjects=(
            (
                "probe.request",
                "tests.probe_module.workflow.outcome",
                "tests.probe_module.workflow.owner_department",
            ),
        ),
    )
