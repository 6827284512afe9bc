"""Liveness and readiness, answered before tenant routing (any host, no session)."""

import redis
from django.conf import settings
from django.db import connection
from django.http import JsonResponse

LIVENESS_PATH = "/healthz"
READINESS_PATH = "/readyz"


def check_postgresql() -> str | None:
    """None when PostgreSQL answers, otherwise the reason."""
    try:
        connection.set_schema_to_public()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means not ready
        return f"{type(exc).__name__}: {exc}".strip()[:300]
    return None


def check_redis() -> str | None:
    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        try:
            client.ping()
        finally:
            client.close()
    except Exception as exc:  # noqa: BLE001
        return f"{type(exc).__name__}: {exc}".strip()[:300]
    return None


def readiness() -> tuple[int, dict]:
    failures = {
        name: reason
        for name, reason in (("postgresql", check_postgresql()), ("redis", check_redis()))
        if reason
    }
    if failures:
        return 503, {"status": "unavailable", "failing": sorted(failures), "errors": failures}
    return 200, {"status": "ok", "checks": {"postgresql": "ok", "redis": "ok"}}


class HealthCheckMiddleware:
    """Answers /healthz and /readyz for load balancers, which call by IP with no tenant host."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info.rstrip("/")
        if path == LIVENESS_PATH:
            return JsonResponse({"status": "ok"})
        if path == READINESS_PATH:
            status, body = readiness()
            return JsonResponse(body, status=status)
        return self.get_response(request)
