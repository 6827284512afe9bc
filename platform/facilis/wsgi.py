"""WSGI entry point: `gunicorn --pythonpath platform facilis.wsgi`."""

import os

from facilis.paths import ensure_source_roots

ensure_source_roots()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "facilis.settings.production")

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
