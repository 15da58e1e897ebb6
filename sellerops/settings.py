"""SellerOps settings, read from the environment.

With nothing set the site runs on embedded defaults: SQLite, Celery tasks run eagerly in-process and a
local-memory cache. ``DATABASE_URL`` switches to PostgreSQL, ``REDIS_URL`` to Redis as Celery broker,
result backend and cache.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Embedded defaults are for running on one machine; a deployment sets DEBUG=false, SECRET_KEY and
# ALLOWED_HOSTS, and refuses to start without them.
DEBUG = env.bool("DEBUG", default=True)
_INSECURE_DEV_KEY = "django-insecure-sellerops-development-only"
SECRET_KEY = env.str("SECRET_KEY", default=_INSECURE_DEV_KEY if DEBUG else "")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
if not DEBUG:
    if not SECRET_KEY or SECRET_KEY == _INSECURE_DEV_KEY:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "core.admin_apps.BackOfficeAdminConfig",  # django.contrib.admin, with a store-scoped site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "csp",
    # The layers, lowest first (docs/architecture.md): each imports only from those above it in this list.
    "core",  # label "sellerops"
    "listings",
    "orders",
    "fulfillment",
    "returns",
    "support",
    "metrics",
    "imports",
    "spapi",
    "demo",
    "core.admin_apps.LoginLockoutsConfig",  # django-axes, under a translatable name
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Without a broker, a long task a request queued (an upload's import) starts once the response is sent.
    "core.middleware.AfterResponseMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # A NUL byte in a path or parameter is a 400 here, before a view hands it to PostgreSQL.
    "core.middleware.RefuseNulMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before anything else reads the user: a database that cannot be reached answers 503, not 500.
    "core.database.DatabaseUnavailableMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.middleware.ViewerPreferencesMiddleware",
    # A workspace whose address names no store shows the one chosen in the top bar.
    "core.middleware.ChosenStoreMiddleware",
    # Last: it answers a locked-out login attempt before the view runs again.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sellerops.urls"
WSGI_APPLICATION = "sellerops.wsgi.application"
ASGI_APPLICATION = "sellerops.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.navigation",
                "metrics.context_processors.health_alerts",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the eager-mode site and its tasks share one SQLite file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # JIT compilation costs more than it saves on the short aggregate queries this site runs.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
    # A server that does not answer fails the request within seconds (a 503) instead of holding a worker;
    # ?connect_timeout= in DATABASE_URL overrides it.
    DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", 5)
    # A server that vanishes mid-query (a network partition, not a restart) is noticed within about a minute by TCP
    # keepalives, instead of holding the request until the kernel gives up (hours).
    for name, value in {"keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10,
                        "keepalives_count": 3}.items():
        DATABASES["default"]["OPTIONS"].setdefault(name, value)
    # A kept connection that the server dropped (a restart) is replaced before a request uses it, not failed.
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
# Redis refusing connections, unreachable or hung: a page waits at most about this long for it, then carries on.
# Work it could not queue is kept in PostgreSQL and queued again once Redis is back (core/background.py).
REDIS_TIMEOUT_SECONDS = env.float("REDIS_TIMEOUT_SECONDS", default=1.0)
REDIS_CACHE_OPTIONS = {"socket_connect_timeout": REDIS_TIMEOUT_SECONDS, "socket_timeout": REDIS_TIMEOUT_SECONDS}
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                          "OPTIONS": REDIS_CACHE_OPTIONS}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# django-axes first: a locked-out username+address is refused before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login throttling (the login page and the admin's; the API's session comes from them): 10 failures for one
# username from one address lock that pair for 15 minutes; a successful login clears the count.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# And 50 failures from one address, whatever the usernames, lock that address (sellerops/logins.py).
AXES_HANDLER = "core.logins.LoginThrottle"
AXES_IP_FAILURE_LIMIT = env.int("AXES_IP_FAILURE_LIMIT", default=50)
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"  # each role's own workspace (core.views.LoginView sends each there directly)
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
# A refused CSRF check is our 403 page, in the viewer's language, with a way back.
CSRF_FAILURE_VIEW = "core.error_views.csrf_failure"
SESSION_COOKIE_HTTPONLY = True
# Behind a TLS-terminating proxy that already redirects, set SECURE_SSL_REDIRECT=false.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# HSTS: 30 days by default in production; raise it once HTTPS is known to work everywhere.
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 30 * 24 * 60 * 60)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# Joining the browsers' HSTS preload list is a deliberate, hard-to-undo step, not a default.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
# Covering indexes (Index.include) serve PostgreSQL; SQLite builds them as plain indexes, which is fine.
SILENCED_SYSTEM_CHECKS.append("models.W040")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Every answer: scripts, styles, images, fonts and requests from this site only; no inline script or style, no
# plugins, no framing, forms post only here. A view may send a stricter policy of its own (``csp.decorators``).
# With DEBUG on, Django's own 404 and 500 debug pages go without it: they are made of inline script and style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "img-src": [SELF, "data:"],
        "script-src": [SELF],
        "style-src": [SELF],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # DRF's three, with a nesting limit on JSON bodies (a deeply nested one was a 500).
    "DEFAULT_PARSER_CLASSES": [
        "core.api.parsers.DepthLimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.CursorPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exceptions.exception_handler",
    # Token clients (integrations) share a budget per user; the browser session is not limited.
    "DEFAULT_THROTTLE_CLASSES": ["core.api.throttling.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": env.str("API_TOKEN_THROTTLE_RATE", default="1000/hour")},
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "SellerOps API",
    "DESCRIPTION": (
        "Orders, shipments, feedback, claims, messages, returns and account-health metrics.\n\n"
        "**Auth**: `Authorization: Token <key>` or the browser session; anonymous requests get 401. You see "
        "only the stores you are a member of; another store's object answers 404, as a missing one does.\n\n"
        "**Pages**: lists are cursor-paginated (`page_size`, default 100, at most 500): follow `next` until "
        "it is null. Pages stay stable while rows are added.\n\n"
        "**Errors**: a malformed body answers 400 naming each bad field; a broken business rule 400 with "
        "`detail`; a refused status change (ship a cancelled order, cancel a shipped one) 409 with `detail` "
        "saying why. Nothing is half-written.\n\n"
        "**Idempotency**: creating an order whose `amazon_order_id` already exists in that store answers 409 "
        "with `url`, the existing order.\n\n"
        "**Rate limit**: token clients get `API_TOKEN_THROTTLE_RATE` requests per user (default 1000/hour), "
        "then 429 with `Retry-After`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and ReDoc are served from our own static files, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "OrderStatusEnum": "orders.models.OrderStatus",
        "ClaimStatusEnum": "support.models.Claim.Status",
        "ReturnStatusEnum": "returns.models.ReturnStatus",
        "MessageKindEnum": "support.models.Message.Kind",
        "ClaimKindEnum": "support.models.Claim.Kind",
        # The returns' reasons keep the name they had while they were the only enum of a "reason" field.
        "ReasonEnum": "returns.models.ReturnReason",
        "StockAdjustReasonEnum": "listings.api.serializers.STOCK_ADJUST_REASONS",
        "CarrierEventStatusEnum": "fulfillment.models.CarrierEventStatus",
        "TraceStatusEnum": "fulfillment.models.TraceStatus",
    },
}

# Replies to buyers leave through each store's own SMTP account (support.Mailbox); this backend serves the
# stores without one. Without EMAIL_HOST, mail is written to the console.
EMAIL_HOST = env.str("EMAIL_HOST", default="")
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST
                        else "django.core.mail.backends.console.EmailBackend")
EMAIL_PORT = env.int("EMAIL_PORT", default=587)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=True)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="sellerops@localhost")

# Celery: without REDIS_URL every task runs eagerly, in-process, so the site needs no services.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 10 * 60
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing a task gives up after one quick retry instead of kombu's default of retrying for ever; the caller
# then records the work in PostgreSQL (core.background.task_enqueue_or_defer).
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_TIMEOUT_SECONDS
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 0}
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
    "socket_timeout": REDIS_TIMEOUT_SECONDS,
    "max_retries": 1,
    # acks_late: a task whose worker died unacknowledged is handed out again after this many seconds. It must
    # stay longer than the longest task and the longest countdown.
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=60 * 60),
}
# A worker importing a file shows a sign of life this often; a job without one for this long has lost its worker.
IMPORT_HEARTBEAT_SECONDS = env.float("IMPORT_HEARTBEAT_SECONDS", default=2)
IMPORT_STALE_AFTER_SECONDS = env.int("IMPORT_STALE_AFTER_SECONDS", default=60)
# A burst of changes to one store within this many seconds makes one metrics recompute.
METRICS_RECOMPUTE_DEBOUNCE_SECONDS = env.int("METRICS_RECOMPUTE_DEBOUNCE_SECONDS", default=30)
# A live metric not recomputed for this long (two hourly recompute periods) is shown as stale.
METRICS_STALE_AFTER_SECONDS = env.int("METRICS_STALE_AFTER_SECONDS", default=2 * 60 * 60)
# Live recomputes are kept this many days (the latest of each store always); daily snapshots are kept for good.
METRICS_LIVE_KEEP_DAYS = env.int("METRICS_LIVE_KEEP_DAYS", default=7)
# How often the dashboard asks whether a newer recompute has landed.
METRICS_POLL_SECONDS = env.int("METRICS_POLL_SECONDS", default=15)
# The site's address, for links in alert e-mails.
SITE_URL = env.str("SITE_URL", default="http://localhost:8000")
# The one place where periodic work is scheduled.
CELERY_BEAT_SCHEDULE = {
    # Buyer messages reach the stores' relay mailboxes; read them every two minutes.
    "support-poll-mailboxes": {
        "task": "support.tasks.support_poll_mailboxes_task",
        "schedule": crontab(minute="*/2"),
    },
    # Work that could not be queued while Redis was away, kept in PostgreSQL: queued again once it is back.
    "requeue-deferred-tasks-every-minute": {
        "task": "core.tasks.deferred_tasks_requeue_task",
        "schedule": crontab(),
    },
    # An import whose worker was lost (killed, out of memory) is failed instead of showing "Running" for ever.
    "imports-watchdog-every-minute": {
        "task": "imports.tasks.import_jobs_watchdog_task",
        "schedule": crontab(),
    },
    # A-to-z claims with less than 24 hours left to respond: their people are told, once per claim.
    "claim-deadline-alerts-every-10-minutes": {
        "task": "metrics.tasks.claim_deadline_alerts_task",
        "schedule": crontab(minute="*/10"),
    },
    "metrics-recompute-all-stores-hourly": {
        "task": "metrics.tasks.metrics_recompute_all_task",
        "schedule": crontab(minute=5),
    },
    # Each store's daily snapshot is taken at its own local midnight; running hourly catches every timezone
    # and is idempotent.
    # FBA inventory: an index part off target, SKUs that will run out before a restock arrives (daily, after
    # the morning's reports).
    "fba-alerts-daily": {
        "task": "metrics.tasks.fba_alerts_check_all_task",
        "schedule": crontab(hour=7, minute=30),
    },
    "metrics-snapshot-all-stores-daily": {
        "task": "metrics.tasks.metrics_snapshot_all_task",
        "schedule": crontab(minute=15),
    },
    # Amazon SP-API: orders changed since the last sync of each store, and the daily account-health report.
    "spapi-sync-orders-every-15-minutes": {
        "task": "spapi.tasks.spapi_sync_orders_task",
        "schedule": crontab(minute="*/15"),
    },
    # The stock each listing still owes Amazon (a push lost with its worker, or not queued while Redis was away).
    "spapi-push-owed-stock-every-minute": {
        "task": "spapi.tasks.spapi_push_stock_sweep_task",
        "schedule": crontab(),
    },
    "spapi-performance-report-daily": {
        "task": "spapi.tasks.spapi_fetch_performance_task",
        "schedule": crontab(hour=6, minute=40),
    },
    # Each store's catalogue (All Listings, then FBA Manage Inventory), imported as an upload would be.
    "catalogue-reports-daily": {
        "task": "spapi.tasks.catalogue_fetch_task",
        "schedule": crontab(hour=6, minute=10),
    },
    # The order facts the metrics read, kept by database triggers, recomputed from their rows once a day: any
    # that differ (or a missing trigger) are logged as an error and e-mailed to the superusers.
    "order-facts-check-daily": {
        "task": "fulfillment.tasks.order_facts_check_task",
        "schedule": crontab(hour=4, minute=50),
    },
}

# Amazon Selling Partner API. The endpoint is empty for the marketplace's regional endpoint; the keys (Fernet
# keys, first one encrypts, all decrypt) protect stored credentials, derived from SECRET_KEY when unset.
SPAPI_ENDPOINT = env.str("SPAPI_ENDPOINT", default="")
SPAPI_LWA_TOKEN_URL = env.str("SPAPI_LWA_TOKEN_URL", default="https://api.amazon.com/auth/o2/token")
SPAPI_CREDENTIALS_KEYS = env.list("SPAPI_CREDENTIALS_KEYS", default=[])
SPAPI_INITIAL_SYNC_DAYS = env.int("SPAPI_INITIAL_SYNC_DAYS", default=30)
SPAPI_TIMEOUT_SECONDS = env.int("SPAPI_TIMEOUT_SECONDS", default=30)
# The public address Amazon downloads listing images from (main and other images); empty: SITE_URL + MEDIA_URL.
LISTING_MEDIA_BASE_URL = env.str("LISTING_MEDIA_BASE_URL", default="")
# Edits of a published listing within this many seconds are sent to Amazon as one patch.
SPAPI_PUBLISH_DEBOUNCE_SECONDS = env.int("SPAPI_PUBLISH_DEBOUNCE_SECONDS", default=10)
# Seconds between two getFeed polls of a JSON listings feed.
SPAPI_FEED_POLL_SECONDS = env.int("SPAPI_FEED_POLL_SECONDS", default=30)
# Our figure and Amazon's (the seller-performance report) count as the same when their rates are at most this many
# percentage points apart, or their numerators at most this many orders (shipments) apart; beyond both, they differ
# and the people watching the metric are told.
SPAPI_RECONCILIATION_TOLERANCE = {
    "points": env.str("SPAPI_RECONCILIATION_TOLERANCE_POINTS", default="0.1"),
    "rows": env.int("SPAPI_RECONCILIATION_TOLERANCE_ROWS", default=1),
}
# A burst of stock changes to one listing within this many seconds makes one push of its quantity to Amazon.
SPAPI_STOCK_DEBOUNCE_SECONDS = env.float("SPAPI_STOCK_DEBOUNCE_SECONDS", default=3)
# A listing whose stock push failed is tried again by the every-minute sweep after this many seconds (a new
# change of its stock pushes at once).
SPAPI_STOCK_RETRY_SECONDS = env.int("SPAPI_STOCK_RETRY_SECONDS", default=300)

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}
# A refused request (403, 400) is logged as one line, without Django's traceback (sellerops/logfilters.py).
LOGGING.setdefault("filters", {})["client_errors_on_one_line"] = {"()": "core.logfilters.ClientErrorsOnOneLine"}
LOGGING["loggers"].setdefault("django.request", {}).setdefault("filters", []).append("client_errors_on_one_line")
