"""platform/ never shadows the standard library's `platform`; production refuses debug defaults."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "facilis.settings.production",
    "SECRET_KEY": "p" * 30 + "-production-like-secret-" + "q" * 30,
    "ALLOWED_HOSTS": ".localhost,localhost,127.0.0.1",
    "SECURE_SSL_REDIRECT": "false",
    "FIELD_ENCRYPTION_KEYS": "95NiFBRSfQizCkty0h8Je51vuZY5wYasH3mvgyj5YZM=",
    "FIELD_DIGEST_KEY": "entry-point-test-digest-key",
}


def _env(**extra):
    from django.conf import settings

    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE",)}
    db = settings.DATABASES["default"]
    env["DATABASE_URL"] = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env["REDIS_URL"] = settings.REDIS_URL
    env.update(extra)
    return env


def _run(args, **env):
    return subprocess.run(args, cwd=ROOT, env=_env(**env), capture_output=True, text=True, timeout=120)


def test_stdlib_platform_under_pytest():
    import platform

    assert platform.system() == "Linux"
    assert hasattr(platform, "python_version")
    assert not hasattr(platform, "__path__"), "platform/ was imported as a namespace package"


def test_stdlib_platform_under_manage_py():
    result = _run(
        [
            PYTHON,
            "manage.py",
            "shell",
            "-c",
            "import platform, uuid; print(platform.system(), uuid.uuid4().version)",
        ],
        DJANGO_SETTINGS_MODULE="facilis.settings.test",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "Linux 4"


@pytest.mark.parametrize("entry", ["facilis.wsgi", "facilis.asgi"])
def test_stdlib_platform_under_wsgi_and_asgi(entry):
    code = (
        "import sys; sys.path.insert(0, 'platform'); "
        f"import {entry} as entry; import platform; "
        "print(platform.system(), type(entry.application).__name__)"
    )
    result = _run([PYTHON, "-c", code], **PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    system, app_type = result.stdout.strip().splitlines()[-1].split()
    assert system == "Linux"
    assert app_type in {"WSGIHandler", "ASGIHandler"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.django_db
def test_gunicorn_serves_the_wsgi_entry_point(tenants):
    port = _free_port()
    proc = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "--pythonpath",
            "platform",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "1",
            "facilis.wsgi",
        ],
        cwd=ROOT,
        env=_env(**PRODUCTION_ENV),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        for _ in range(100):
            try:
                health = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=10)
                break
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not start")
        assert health.json() == {"status": "ok"}
        ready = requests.get(f"http://127.0.0.1:{port}/readyz", timeout=5)
        assert ready.status_code == 200, ready.text
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_production_refuses_to_start_on_debug_defaults():
    env = {"DJANGO_SETTINGS_MODULE": "facilis.settings.production", "DEBUG": "true", "SECRET_KEY": "short"}
    result = subprocess.run(
        [PYTHON, "manage.py", "check"],
        cwd=ROOT,
        env={
            k: v
            for k, v in {**os.environ, **env}.items()
            if k not in ("DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS")
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "Refusing to start" in result.stderr
    for problem in (
        "DEBUG must be off",
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "DATABASE_URL",
        "REDIS_URL",
        "FIELD_ENCRYPTION_KEYS",
    ):
        assert problem in result.stderr
