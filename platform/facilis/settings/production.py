"""Production: everything from the environment; refuses to start on debug defaults."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import ALLOWED_HOSTS, DATABASES, DEBUG, SECRET_KEY, env

_problems = []
if DEBUG:
    _problems.append("DEBUG must be off in production")
if not SECRET_KEY or len(SECRET_KEY) < 50 or "insecure" in SECRET_KEY or SECRET_KEY.startswith("dev-"):
    _problems.append("SECRET_KEY must be set to a random value of at least 50 characters")
if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
    _problems.append("ALLOWED_HOSTS must list the served domains (e.g. .facilis.example.com)")
if not env("DATABASE_URL", default=""):
    _problems.append("DATABASE_URL must be set")
if not env("REDIS_URL", default=""):
    _problems.append("REDIS_URL must be set")
if not env.list("FIELD_ENCRYPTION_KEYS", default=[]) or not env("FIELD_DIGEST_KEY", default=""):
    _problems.append("FIELD_ENCRYPTION_KEYS and FIELD_DIGEST_KEY must be set (personal data at rest)")
if _problems:
    raise ImproperlyConfigured("Refusing to start: " + "; ".join(_problems) + ".")

TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1)  # behind the load balancer
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=300)
