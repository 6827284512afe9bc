"""Settings shared by every environment.

Values come from the environment (12-factor). `dev` and `test` supply defaults that
point at the embedded services (bin/services); `production` supplies none and refuses
to start without them.
"""

from datetime import timedelta
from pathlib import Path

import environ

from facilis.paths import PLATFORM_DIR, ROOT_DIR, ensure_source_roots

ensure_source_roots()

env = environ.Env()

BASE_DIR: Path = ROOT_DIR
DATA_DIR = Path(env("FACILIS_DATA_DIR", default=str(ROOT_DIR / ".data")))

SECRET_KEY = env("SECRET_KEY", default=None)
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# --- Tenancy -------------------------------------------------------------------------
# The public schema holds tenants, domains, module enablement and platform operators.
# Each tenant schema holds the tenant's users, content and module data.
SHARED_APPS = [
    "django_tenants",
    "tenants",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "django_dramatiq",
    "graphene_django",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "identity",
    "kernel",
    # Facts for group headquarters, public schema only (ARCHITECTURE.md §4).
    "analytics",
    # Report, form and workflow templates an HQ publishes for its subsidiaries (public schema).
    "lowcode.library",
]

TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "identity",
    "kernel",
    "wagtail.contrib.forms",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "portal",
    # Modules: each declares itself on its AppConfig (kernel.modules.ModuleSpec).
    "modules.spaces",
    "modules.inventory",
    "modules.workorders",
    # Low-code: forms, workflows, reports (lowcode/).
    "lowcode.forms",
    "lowcode.workflows",
    "lowcode.reports",
]

INSTALLED_APPS = list(SHARED_APPS) + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Tenant"
TENANT_DOMAIN_MODEL = "tenants.Domain"
# New tenants are cloned from this schema instead of running every migration
# (docs/adr/0002-tenancy.md). It is migrated with the tenants by migrate_schemas.
TENANT_TEMPLATE_SCHEMA = "tenant_template"
PUBLIC_SCHEMA_URLCONF = "facilis.urls_public"
# Host names that serve the operator site (public schema) rather than a tenant.
PUBLIC_HOSTS = env.list("PUBLIC_HOSTS", default=["localhost", "127.0.0.1"])
ROOT_URLCONF = "facilis.urls_tenant"
# The template first, so a migration that fails stops before touching tenants.
TENANT_MIGRATION_ORDER = ["-is_template", "schema_name"]

DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://localhost/facilis"),
}
DATABASES["default"]["ENGINE"] = "django_tenants.postgresql_backend"
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
# Issue SET search_path only when the schema changes, not before every query.
TENANT_LIMIT_SET_CALLS = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Request pipeline ----------------------------------------------------------------
MIDDLEWARE = [
    "kernel.middleware.RequestContextMiddleware",
    "kernel.health.HealthCheckMiddleware",
    "kernel.middleware.TenantMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kernel.middleware.TenantLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "identity.middleware.ApiKeyMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "kernel.audit.AuditContextMiddleware",
    "identity.middleware.IdleSessionMiddleware",
    "identity.middleware.SecondFactorMiddleware",
    "kernel.middleware.ConsoleAccessMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "kernel.middleware.ModuleGuardMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into its lockout page.
    "axes.middleware.AxesMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [ROOT_DIR / "frontend" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kernel.context_processors.tenant",
                "portal.context_processors.portal",
            ],
        },
    },
]

WSGI_APPLICATION = "facilis.wsgi.application"

# --- Identity --------------------------------------------------------------------------
AUTH_USER_MODEL = "identity.User"
AUTHENTICATION_BACKENDS = [
    # Counts failed sign-ins and refuses locked-out users (per tenant: its tables live in
    # each schema), then our backend, which answers permissions from roles.
    "axes.backends.AxesStandaloneBackend",
    "identity.backends.RoleBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "identity.validators.ComplexityValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "identity.validators.PasswordHistoryValidator", "OPTIONS": {"count": 5}},
]
# Sign-in lockout (django-axes): 5 failures of one login lock it for 15 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # sign-ins go to the audit trail instead
AXES_LOCKOUT_TEMPLATE = "identity/locked_out.html"
AXES_USERNAME_CALLABLE = "identity.auth.username_from_request"
AXES_VERBOSE = False
# axes.W006 asks to lock by client address too. Hospitals and campuses sign in from behind
# one NAT address, so locking by address would lock everyone out: we lock by login.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
# Signed-in sessions end after this many idle minutes unless the tenant sets its own.
SESSION_IDLE_MINUTES_DEFAULT = 30
OTP_TOTP_ISSUER = "Facilis"
# How many reverse proxies (load balancer) put the client address in X-Forwarded-For.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Personal data at rest (kernel.crypto): Fernet keys, newest first; HMAC key for look-ups.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])
FIELD_DIGEST_KEY = env("FIELD_DIGEST_KEY", default="")
LOGIN_URL = "identity:login"
LOGIN_REDIRECT_URL = "/"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Locale ----------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [ROOT_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files -----------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [ROOT_DIR / "frontend" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"

# Uploaded files go under tenants/<schema>/ in whichever backend is configured.
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
AWS_S3_ENDPOINT_URL = env("AWS_S3_ENDPOINT_URL", default=None)
AWS_S3_REGION_NAME = env("AWS_S3_REGION_NAME", default=None)
AWS_QUERYSTRING_EXPIRE = env.int("FILE_URL_MAX_AGE", default=300)
AWS_DEFAULT_ACL = None
AWS_S3_SIGNATURE_VERSION = "s3v4"
AWS_S3_FILE_OVERWRITE = False
FILE_URL_MAX_AGE = AWS_QUERYSTRING_EXPIRE
FILE_UPLOAD_MAX_SIZE = env.int("FILE_UPLOAD_MAX_SIZE", default=20 * 1024 * 1024)

STORAGES = {
    "default": {
        "BACKEND": "kernel.files.TenantS3Storage"
        if AWS_STORAGE_BUCKET_NAME
        else "kernel.files.TenantFileSystemStorage",
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- Redis: cache, job broker, scheduler locks, rate limits ----------------------------------
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
REDIS_KEY_PREFIX = env("REDIS_KEY_PREFIX", default="facilis")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": f"{REDIS_KEY_PREFIX}:cache",
        # Every key carries the schema of the tenant that wrote it.
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        "TIMEOUT": 300,
    }
}

DRAMATIQ_BROKER = {
    "BROKER": "dramatiq.brokers.redis.RedisBroker",
    "OPTIONS": {"url": REDIS_URL, "namespace": f"{REDIS_KEY_PREFIX}:dramatiq"},
    "MIDDLEWARE": [
        "dramatiq.middleware.AgeLimit",
        "dramatiq.middleware.TimeLimit",
        "dramatiq.middleware.Callbacks",
        "dramatiq.middleware.Retries",
        "dramatiq.middleware.CurrentMessage",
        # Before ours: it may close the connection, which would drop the audit context
        # that ours binds to it.
        "django_dramatiq.middleware.DbConnectionsMiddleware",
        "kernel.jobs.middleware.TenantContextMiddleware",
    ],
}
DRAMATIQ_AUTODISCOVER_MODULES = ["tasks"]
# How often the scheduler looks for due periodic jobs (seconds).
SCHEDULER_TICK_SECONDS = env.float("SCHEDULER_TICK_SECONDS", default=1.0)
# The relay runs right after each commit; this periodic pass is the safety net.
OUTBOX_RELAY_INTERVAL_SECONDS = env.int("OUTBOX_RELAY_INTERVAL_SECONDS", default=60)

# --- GraphQL -------------------------------------------------------------------------
GRAPHENE = {
    "SCHEMA": "kernel.graphql.schema.schema",
    "MIDDLEWARE": [],  # the module guard wraps root fields instead (kernel.graphql.schema)
    "RELAY_CONNECTION_MAX_LIMIT": 100,
    "ATOMIC_MUTATIONS": True,
}
# API limits (docs/api.md): per request, and per caller per minute.
GRAPHQL_MAX_DEPTH = 8
GRAPHQL_MAX_COST = 2500
GRAPHQL_MAX_ALIASES = 30
GRAPHQL_MAX_OPERATIONS = 1
GRAPHQL_MAX_BODY_BYTES = 64 * 1024
GRAPHQL_USER_REQUESTS_PER_MINUTE = env.int("GRAPHQL_USER_REQUESTS_PER_MINUTE", default=300)

# --- Wagtail (the tenant console) ----------------------------------------------------------
WAGTAIL_SITE_NAME = "Facilis"
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", default="http://localhost:8000")
WAGTAIL_I18N_ENABLED = False
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILADMIN_LOGIN_URL = "identity:login"

# --- E-mail (the sender's name is the tenant's; see kernel.emails) ------------------------------
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="noreply@facilis.local")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_URL = env("EMAIL_URL", default="")
if EMAIL_URL:
    vars().update(env.email_url("EMAIL_URL"))

# --- Billing (Stripe) -------------------------------------------------------------------
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = env("STRIPE_API_BASE", default="https://api.stripe.com")

# --- Errors, logs --------------------------------------------------------------------
SENTRY_DSN = env("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env("SENTRY_ENVIRONMENT", default="development")
SENTRY_TRACES_SAMPLE_RATE = env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0)
LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "kernel.observability.ContextFilter"}},
    "formatters": {
        "plain": {
            "format": "%(asctime)s %(levelname)s [%(tenant)s %(request_id)s] %(name)s: %(message)s",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["context"],
            "formatter": "plain",
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "dramatiq": {"level": "WARNING"},
    },
}

FACILIS_VERSION = env("FACILIS_VERSION", default="dev")
# Where the project code lives, for entry points and docs.
SOURCE_ROOTS = [str(ROOT_DIR), str(PLATFORM_DIR)]

# Sentry starts before the apps load, so that the Dramatiq integration sees the broker.
from kernel.observability import init_sentry  # noqa: E402

init_sentry(
    SENTRY_DSN,
    environment=SENTRY_ENVIRONMENT,
    release=FACILIS_VERSION,
    traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE,
)

# Webhooks: https only and no private addresses, except where development settings allow.
WEBHOOKS_ALLOW_HTTP = env.bool("WEBHOOKS_ALLOW_HTTP", default=False)
WEBHOOKS_ALLOW_PRIVATE = env.bool("WEBHOOKS_ALLOW_PRIVATE", default=False)
