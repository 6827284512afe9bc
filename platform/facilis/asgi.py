"""ASGI entry point: `uvicorn --app-dir platform facilis.asgi:application`."""

import os

from facilis.paths import ensure_source_roots

ensure_source_roots()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "facilis.settings.production")

from django.core.asgi import get_asgi_application  # noqa: E402

application = get_asgi_application()
