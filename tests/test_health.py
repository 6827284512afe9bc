import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize("hostname", ["localhost", "a.localhost", "10.0.0.7", "unknown.example.org"])
def test_liveness_answers_on_any_host(client, hostname, settings, tenants):
    settings.ALLOWED_HOSTS = ["*"]
    response = client.get("/healthz", HTTP_HOST=hostname)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readiness_when_postgresql_and_redis_answer(client):
    response = client.get("/readyz", HTTP_HOST="localhost")
    assert response.status_code == 200
    assert response.json()["checks"] == {"postgresql": "ok", "redis": "ok"}


@pytest.mark.django_db
def test_readiness_names_redis_when_it_is_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/readyz", HTTP_HOST="localhost")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failing"] == ["redis"]
    assert "Connection" in body["errors"]["redis"]


def test_readiness_names_postgresql_when_it_is_down():
    code = (
        "import django, json; django.setup(); from django.test import Client; "
        "r = Client().get('/readyz', HTTP_HOST='localhost'); print(r.status_code, json.dumps(r.json()))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "facilis.settings.test",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:1/nothing",
        "PYTHONPATH": "platform:.",
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).parent.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    status, _, body = result.stdout.strip().splitlines()[-1].partition(" ")
    assert status == "503"
    assert '"failing": ["postgresql"]' in body
