"""LandGuard settings. Every value that varies between machines comes from an environment variable
read through landguard.env, which stops start-up with a message naming the variable when it is bad.
"""

# pyproj and pyogrio bundle their own PROJ; importing them before the first SpatiaLite connection
# (which dlopens the system libproj) avoids a crash at interpreter exit (docs/architecture.md, "traps").
import pyogrio  # noqa: F401
import pyproj  # noqa: F401

from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from landguard.env import database_config, env_bool, env_int, env_list, env_networks, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("LANDGUARD_VAR_DIR", str(BASE_DIR / "var")))
# Public reference data the demo and the tests read (division-code subsets, outlines), carried in the repository
# with a SOURCE note per folder (data/refdata/README.md); an operator may point elsewhere.
REFDATA_DIR = Path(env_str("LANDGUARD_REFDATA_DIR", str(BASE_DIR / "data" / "refdata")))

DEBUG = env_bool("LANDGUARD_DEBUG", False)
SECRET_KEY = env_str("LANDGUARD_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG and env_bool("LANDGUARD_REQUIRE_SECRET_KEY", False):
        raise ImproperlyConfigured("LANDGUARD_SECRET_KEY must be set in production (a long random string).")
    SECRET_KEY = "insecure-development-key-set-LANDGUARD_SECRET_KEY-in-production"

# Resident ID numbers (landguard.citizens.idnumbers): a keyed HMAC for look-up and AES-GCM for display, each with its
# own secret. Production (LANDGUARD_REQUIRE_SECRET_KEY) refuses to start without them; development and tests get a
# fixed default, which protects nothing.
LANDGUARD_ID_HMAC_KEY = env_str("LANDGUARD_ID_HMAC_KEY")
LANDGUARD_ID_ENCRYPTION_KEY = env_str("LANDGUARD_ID_ENCRYPTION_KEY")
for _id_key in ("LANDGUARD_ID_HMAC_KEY", "LANDGUARD_ID_ENCRYPTION_KEY"):
    if not globals()[_id_key]:
        if not DEBUG and env_bool("LANDGUARD_REQUIRE_SECRET_KEY", False):
            raise ImproperlyConfigured(f"{_id_key} must be set in production (a long random string).")
        globals()[_id_key] = f"insecure-development-{_id_key}"
ALLOWED_HOSTS = env_list("LANDGUARD_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("LANDGUARD_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.gis",
    "rest_framework",
    "rest_framework.authtoken",
    "rest_framework_gis",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    # Before django_tasks_db: its `db_worker` command is replaced by landguard.jobs' own (reclaims the jobs of
    # a dead worker and deletes old uploads from the worker's loop); the first app listing a command wins.
    "landguard.jobs",
    "django_tasks_db",
    "landguard.core",
    "landguard.audit",
    "landguard.inbox",
    "landguard.regions",
    "landguard.people",
    "landguard.layers",
    "landguard.analysis",
    "landguard.projects",
    "landguard.supervision",
    "landguard.quotas",
    "landguard.approvals",
    "landguard.planning",
    "landguard.supply",
    "landguard.citizens",
    "landguard.web",
    "landguard.api",
    "landguard.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "landguard.core.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
# Server-Timing (cpu, app) on every response: the worker's own CPU per request, outermost so every middleware
# counts (core/server_timing.py; make bench's requests phase reads it). Two clock reads a request.
if env_bool("LANDGUARD_SERVER_TIMING", True):
    MIDDLEWARE.insert(0, "landguard.core.server_timing.ServerTimingMiddleware")

ROOT_URLCONF = "landguard.urls"
WSGI_APPLICATION = "landguard.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "landguard.web.context.site",
            ],
        },
    },
]

# Embedded default: a SpatiaLite file under var/. Production and CI: DATABASE_URL=postgis://…
# Tests only: a file holding an ISO time that landguard.core.clock reports as "now" (see core/clock.py).
CLOCK_FILE = env_str("LANDGUARD_CLOCK_FILE", "")
DATABASES = {"default": database_config(env_str("DATABASE_URL"), str(VAR_DIR / "landguard.sqlite3"))}
if DATABASES["default"]["ENGINE"].endswith("spatialite"):
    # Writers queue instead of failing with "database is locked": a DEFERRED transaction that read first must
    # upgrade its lock to write, and SQLite refuses that upgrade at once (the busy timeout cannot help), so every
    # transaction takes the write lock at BEGIN; WAL lets readers go on while one writer works.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        timeout=30, transaction_mode="IMMEDIATE", init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL")
    DATABASES["default"]["TEST"] = {"NAME": env_str("LANDGUARD_TEST_SQLITE", "") or None}
# Read replicas (core/db_routing.py, docs/scaling.md): streaming replicas of the PostGIS primary, comma-separated
# postgis:// URLs, become aliases replica_0, replica_1, … that a request's reads use; writes, transactions and the
# same client's reads for REPLICA_STICKY_SECONDS after it wrote stay on the primary. In tests a replica mirrors the
# primary's test database (same name, its own server), so tests never create a database on a read-only server.
REPLICA_STICKY_SECONDS = env_int("LANDGUARD_REPLICA_STICKY_SECONDS", 5, minimum=0, maximum=3600)
if _replica_urls := env_list("LANDGUARD_DATABASE_REPLICAS", []):
    if not DATABASES["default"]["ENGINE"].endswith("postgis"):
        raise ImproperlyConfigured("LANDGUARD_DATABASE_REPLICAS needs a PostGIS primary in DATABASE_URL (postgis://…).")
    for _index, _url in enumerate(_replica_urls):
        _replica = database_config(_url, "")
        if not _replica["ENGINE"].endswith("postgis"):
            raise ImproperlyConfigured(f"LANDGUARD_DATABASE_REPLICAS must list postgis:// URLs, got {_url!r}.")
        DATABASES[f"replica_{_index}"] = {**_replica, "TEST": {"MIRROR": "default"}}
    DATABASE_ROUTERS = ["landguard.core.db_routing.ReplicaRouter"]
    MIDDLEWARE.insert(MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware"),
                      "landguard.core.db_routing.ReplicaReadsMiddleware")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "people.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "login"

# Chinese first; English available. Dates shown in Asia/Shanghai, stored in UTC.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "landguard" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
# Serve app static files directly (no collectstatic needed for `make run`); see docs/architecture.md
# for the production setting. Plain storage: MapLibre's ES modules import each other by file name.
WHITENOISE_USE_FINDERS = True
WHITENOISE_MIMETYPES = {".mjs": "text/javascript"}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"

# Uploads: refuse anything bigger than this before reading it (archives are checked again before unpacking).
UPLOAD_MAX_MB = env_int("LANDGUARD_UPLOAD_MAX_MB", 200, minimum=1, maximum=4096)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Background jobs (landguard.jobs): a running job's worker renews its lease every JOB_LEASE_SECONDS / 5; a job
# whose lease ran out (or whose worker process is gone, on the same machine) is retried by the next worker
# loop, at most JOB_MAX_ATTEMPTS runs in all, then failed. Stored uploads of finished jobs are deleted after
# JOB_UPLOAD_RETENTION_DAYS.
JOB_LEASE_SECONDS = env_int("LANDGUARD_JOB_LEASE_SECONDS", 300, minimum=2, maximum=86400)
JOB_MAX_ATTEMPTS = env_int("LANDGUARD_JOB_MAX_ATTEMPTS", 3, minimum=1, maximum=20)
JOB_UPLOAD_RETENTION_DAYS = env_int("LANDGUARD_JOB_UPLOAD_RETENTION_DAYS", 30, minimum=1, maximum=3650)
# Province batches (jobs/cluster.py): the Dask scheduler to send a batch's per-county tasks to (tcp://host:8786);
# unset, a local cluster of DASK_WORKERS processes (one thread each) runs inside the job worker for the job.
DASK_SCHEDULER = env_str("LANDGUARD_DASK_SCHEDULER", "")
DASK_WORKERS = env_int("LANDGUARD_DASK_WORKERS", 2, minimum=1, maximum=64)
# Exports (layers/exports.py): a selection of more rows than this is written by a background job (with a
# download link on the job's page) instead of during the request; xlsx stops at Excel's 1,048,574 data rows.
EXPORT_SYNC_ROWS = env_int("LANDGUARD_EXPORT_SYNC_ROWS", 50_000, minimum=1, maximum=1_048_574)

# Base map: a 天地图 key, or an on-premise XYZ tile URL template; with neither the map still works offline
# (region overlays on a plain background).
TIANDITU_KEY = env_str("LANDGUARD_TIANDITU_KEY")
BASEMAP_TILE_URL = env_url("LANDGUARD_BASEMAP_TILE_URL", schemes=("http", "https"))
if BASEMAP_TILE_URL and not all(part in BASEMAP_TILE_URL for part in ("{z}", "{x}", "{y}")):
    raise ImproperlyConfigured(
        f"LANDGUARD_BASEMAP_TILE_URL must contain {{z}}, {{x}} and {{y}}, got {BASEMAP_TILE_URL!r}.")
BASEMAP_ATTRIBUTION = env_str("LANDGUARD_BASEMAP_ATTRIBUTION")

REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate challenge makes a refused request 401 (expired token: "log in again"),
    # not 403, which is what scripts and QGIS act on.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "landguard.shell.tokens.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "LandGuard API",
    "DESCRIPTION": "LandGuard REST API. Every response is limited to the caller's region scope.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Two choice sets share a field name with others (`kind`, `level`); named here, they get readable
    # component names instead of hashed ones (drf_spectacular.W001).
    "ENUM_NAME_OVERRIDES": {
        "ServiceRequestKindEnum": "landguard.projects.models.ServiceRequest.Kind",
        "ProjectLevelEnum": "landguard.projects.models.Project.Level",
        "QuotaKindEnum": "landguard.quotas.models.Kind",
        "QuotaSourceEnum": "landguard.quotas.models.Source",
        "QuotaActionEnum": "landguard.quotas.models.Action",
        # A step's time limit and its minimum period share the unit choices (工作日 / 自然日).
        "DayUnitEnum": "landguard.projects.models.LimitUnitChoices",
        "DossierKindEnum": "landguard.approvals.authority.DossierKind",
        "DossierStatusEnum": "landguard.approvals.models.Dossier.Status",
        "ApprovingAuthorityEnum": "landguard.approvals.authority.Authority",
        "DevelopmentPlanStatusEnum": "landguard.approvals.models.DevelopmentPlan.Status",
        "CitizenMatterStatusEnum": "landguard.citizens.models.Matter.Status",
        "CitizenMatterChannelEnum": "landguard.citizens.models.Matter.Channel",
        "RegistrationKindEnum": "landguard.citizens.models.Registration.RegKind",
        "RegistrationTransferKindEnum": "landguard.citizens.models.Registration.TransferKind",
        "DataRequestStatusEnum": "landguard.citizens.models.DataRequest.Status",
        "PartyRoleEnum": "landguard.citizens.models.Party.Role",
        "DevelopmentPlanConsentBodyEnum": "landguard.approvals.models.DevelopmentPlan.ConsentBody",
        "SupplyKindEnum": "landguard.supply.models.SupplyRecord.Kind",
        "SupplyStatusEnum": "landguard.supply.models.SupplyRecord.Status",
        "SupplyMethodEnum": "landguard.supply.models.SupplyRecord.Method",
        "SupplyGroundEnum": "landguard.supply.models.SupplyRecord.Ground",
        "LandUseEnum": "landguard.supply.models.LandUse",
        "TwoClearItemKindEnum": "landguard.supply.models.ItemKind",
        "TwoClearItemStatusEnum": "landguard.supply.models.TwoClearItem.Status",
        "TwoClearCauseEnum": "landguard.supply.models.Cause",
        "TwoClearSubCauseEnum": "landguard.supply.models.SubCause",
        "TwoClearDisposalEnum": "landguard.supply.models.Disposal",
    },
}

# The cache carries live job progress between the worker and the web process: a file cache under var/ by
# default (one machine, no server); LANDGUARD_REDIS_URL (redis://…) when web and workers run on several hosts.
CACHES: dict[str, dict[str, Any]]
if REDIS_URL := env_url("LANDGUARD_REDIS_URL", schemes=("redis", "rediss")):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL},
              "tiles": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                        "KEY_PREFIX": "tiles"},
              "figures": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                          "KEY_PREFIX": "figures"}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                          "LOCATION": str(VAR_DIR / "cache")},
              # Vector tiles (layers/tile_cache.py) apart from the default cache: a file cache culls a third of its
              # entries when full, and tiles must not push out login-throttle counts or job progress.
              "tiles": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                        "LOCATION": str(VAR_DIR / "cache-tiles"), "OPTIONS": {"MAX_ENTRIES": 20_000}},
              # The overview figures of homes and dashboards (core/figures_cache.py): many short-lived entries, kept
              # apart for the same reason.
              "figures": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                          "LOCATION": str(VAR_DIR / "cache-figures"), "OPTIONS": {"MAX_ENTRIES": 3_000}}}
# How long a home's or dashboard's overview figures may be reused while nothing is written (core/figures_cache.py);
# 0: computed on every page.
FIGURES_CACHE_SECONDS = env_int("LANDGUARD_FIGURES_CACHE_SECONDS", 60, minimum=0, maximum=3600)

# Background work with no extra server: tasks are rows in the database, run by `manage.py db_worker`
# (started by `make run`). Production option: see docs/architecture.md.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend"
        if not env_bool("LANDGUARD_TASKS_IMMEDIATE", False)
        else "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default"],
    }
}

# Every log line LandGuard writes passes the redaction filter: credentials that travel in URLs (a tile
# template's ?key=) never reach a log file. runserver's request log (django.server) gets it too.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "landguard.core.logredact.RedactSecrets"}},
    "formatters": {"server": {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}",
                              "style": "{"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact"]},
        "server": {"class": "logging.StreamHandler", "filters": ["redact"], "formatter": "server"},
    },
    "loggers": {"django.server": {"handlers": ["server"], "level": "INFO", "propagate": False}},
    "root": {"handlers": ["console"], "level": env_str("LANDGUARD_LOG_LEVEL", "INFO").upper()},
}

# How long a tile key (a read-only credential in a vector-tile URL template, layers/tile_keys.py) stays valid.
TILE_KEY_DAYS = env_int("LANDGUARD_TILE_KEY_DAYS", 30, minimum=1, maximum=366)

# The weekly report (周报) covers the seven days up to this weekday (1 = Monday … 7 = Sunday); 湖北: Thursday.
WEEKLY_REPORT_WEEKDAY = env_int("LANDGUARD_WEEKLY_REPORT_WEEKDAY", 4, minimum=1, maximum=7)

# GDAL 3.6 cannot block network access in GDAL calls; we never pass user-controlled URLs to GDAL.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# --- production safety (docs/architecture.md, "Security") ---------------------------------------------------
# One switch for a site served over HTTPS (behind nginx): cookies only over TLS, HSTS, plain HTTP redirected,
# and the proxy's X-Forwarded-Proto trusted to say the request came in over TLS. Off for `make run` and the
# test servers, which speak plain HTTP on loopback.
HTTPS = env_bool("LANDGUARD_HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
# The bureau's host names live under its own domain, every one of them behind the same TLS proxy.
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
# nginx must set this header itself (proxy_set_header X-Forwarded-Proto $scheme), overwriting the client's.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None

# A working day, not two weeks: a phone left on a desk stops being a way in overnight. The field app keeps
# its unsent photos and track points and resumes after the officer logs in again (supervision/field.js).
SESSION_COOKIE_AGE = env_int("LANDGUARD_SESSION_HOURS", 10, minimum=1, maximum=24 * 30) * 3600

# Reverse proxies whose X-Forwarded-For is believed (landguard.core.client.client_ip); anyone else could
# write any address into that header. Empty: the connecting address is the client.
TRUSTED_PROXIES = env_networks("LANDGUARD_TRUSTED_PROXIES")

# Password guessing (landguard.core.login_throttle): failures counted per account and per client address
# within the window; past the limit, logins are refused until the window ends.
LOGIN_FAILURES_PER_ACCOUNT = env_int("LANDGUARD_LOGIN_FAILURES_PER_ACCOUNT", 10, minimum=1, maximum=1000)
LOGIN_FAILURES_PER_ADDRESS = env_int("LANDGUARD_LOGIN_FAILURES_PER_ADDRESS", 30, minimum=1, maximum=10000)
LOGIN_LOCKOUT_MINUTES = env_int("LANDGUARD_LOGIN_LOCKOUT_MINUTES", 15, minimum=1, maximum=24 * 60)

# API tokens (POST /api/auth/token/) stop working this many days after they are issued; a new login issues a
# new one. Revoked at /account/tokens/ or DELETE /api/auth/tokens/<id>/.
TOKEN_LIFETIME_DAYS = env_int("LANDGUARD_TOKEN_DAYS", 30, minimum=1, maximum=3650)

# Approvals (landguard.approvals.authority, .parts): what the State Council delegated to each province under
# 国发〔2020〕4号 ({"33": Delegation(basic_farmland_conversion=True, expropriation_over_limits=True)} for a pilot
# province; unlisted provinces: 单独选址 农转用 authorised, nothing entrusted) and each province's package parts
# (a tuple of approvals.parts.Part by two-digit province code; unlisted: the national 一书四方案). Both are marked
# to confirm in domain-land.md §A.1/§A.3, hence configuration.
APPROVAL_DELEGATIONS: dict = {}
APPROVAL_PACKAGE_PARTS: dict = {}

# Plan indicators (landguard.planning): 耕地保有量's current value counted net of 田坎 (图斑地类面积, as 三调 statistics
# report 耕地), or gross when False. Inferred, not from an official text (domain-land.md §D, I): 待确认.
PLANNING_FARMLAND_NET = True
