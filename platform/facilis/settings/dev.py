"""Development: `make run` and `manage.py` against the embedded services (bin/services)."""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:55432/facilis")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:56379/0")

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-never-used-in-production")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", ".localhost", "127.0.0.1"])
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Development-only keys; production takes them from the environment.
FIELD_ENCRYPTION_KEYS = env.list(
    "FIELD_ENCRYPTION_KEYS", default=["xJ-YA8xOoShzzjloNLITEpZ_zkhbfeKQkREDaP8DlyA="]
)
FIELD_DIGEST_KEY = env("FIELD_DIGEST_KEY", default="dev-only-digest-key")
WEBHOOKS_ALLOW_HTTP = True
WEBHOOKS_ALLOW_PRIVATE = True
