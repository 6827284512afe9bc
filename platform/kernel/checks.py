"""System checks: the module declarations must hang together."""

from django.core.checks import Error, register


@register()
def check_module_registry(app_configs, **kwargs):
    from kernel import modules

    errors = []
    try:
        specs = modules.all_modules()
    except ValueError as exc:
        return [Error(str(exc), id="kernel.E001")]
    for spec in specs:
        for attr in ("graphql_query", "graphql_mutation", "default_data", "demo_data"):
            try:
                spec.import_attr(attr)
            except ImportError as exc:
                errors.append(Error(f"module {spec.key}: {attr} cannot be imported: {exc}", id="kernel.E002"))
        for job in spec.periodic_jobs:
            import dramatiq

            try:
                dramatiq.get_broker().get_actor(job.actor)
            except Exception:  # noqa: BLE001
                errors.append(
                    Error(f"module {spec.key}: periodic job {job.actor} names no actor", id="kernel.E003")
                )
    return errors
