from modules.spaces.models import Campus


def install(tenant) -> None:
    """Default data proves it ran in the tenant's schema: a campus named after the module."""
    if not Campus.objects.filter(code="PROBE-DEFAULT").exists():
        from modules.spaces.actions import create_campus

        create_campus(code="PROBE-DEFAULT", name="探针默认数据", name_en="Probe default")
