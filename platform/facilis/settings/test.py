"""Tests: the real embedded PostgreSQL and Redis, on a Redis database of their own."""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:55432/facilis")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:56379/9")
os.environ.setdefault("REDIS_KEY_PREFIX", "facilis-test")

from .base import *  # noqa: F403
from .base import DATA_DIR, INSTALLED_APPS, TENANT_APPS, env

DEBUG = False
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405 - threads in tests must not keep sessions open
SECRET_KEY = "test-only-key-" + "x" * 40
ALLOWED_HOSTS = ["localhost", ".localhost", "127.0.0.1", "testserver", ".testserver"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = DATA_DIR / "test-media"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405

# A module that exists only in tests: it can be switched off, which spaces (always on)
# cannot, so the guards are proven on it (tests/probe_module).
TENANT_APPS = [*TENANT_APPS, "tests.probe_module"]
INSTALLED_APPS = [*INSTALLED_APPS, "tests.probe_module"]

SCHEDULER_TICK_SECONDS = 0.2
LOG_LEVEL = env("LOG_LEVEL", default="WARNING")
# Assertions read English messages; the Chinese catalogue is tested in tests/test_i18n.py,
# and tenant pages still follow the tenant's language (zh-hans for the test tenants).
LANGUAGE_CODE = "en"
# Static files straight from the apps' folders: no collectstatic before tests (and never
# the development server's collected copy, which may be stale).
STATIC_ROOT = DATA_DIR / "test-static"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
FIELD_ENCRYPTION_KEYS = ["95NiFBRSfQizCkty0h8Je51vuZY5wYasH3mvgyj5YZM="]
FIELD_DIGEST_KEY = "test-digest-key"
WEBHOOKS_ALLOW_HTTP = True
WEBHOOKS_ALLOW_PRIVATE = True
