from django.db import connection

from kernel import outbox
from kernel.redis import get_redis


@outbox.consumer("probe-recorder", topics=["spaces.campus.*"])
def remember(event) -> None:
    get_redis().rpush(f"probe:events:{connection.schema_name}", f"{event.pk}:{event.topic}")
