from datetime import timedelta

from django.db import connection

from kernel.jobs import tenant_actor
from kernel.redis import get_redis


@tenant_actor(
    name="probe.record", queue="default", max_retries=0, time_limit=timedelta(seconds=30), module="probe"
)
def record(code: str) -> None:
    """Writes a campus in whatever schema the job runs in, and says which schema that was."""
    from modules.spaces.actions import create_campus

    create_campus(code=code, name=f"job {code}")
    get_redis().rpush(f"probe:ran:{code}", connection.schema_name)


@tenant_actor(
    name="probe.tick", queue="default", max_retries=0, time_limit=timedelta(seconds=30), module="probe"
)
def tick() -> None:
    get_redis().rpush("probe:ticks", connection.schema_name)


@tenant_actor(name="probe.where", queue="default", max_retries=0, time_limit=timedelta(seconds=30))
def where(tag: str) -> None:
    """No module: records the schema it runs in."""
    get_redis().rpush(f"probe:where:{tag}", connection.schema_name)
