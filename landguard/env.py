"""Read settings from environment variables, failing at start-up with a message that names the variable.

Healthchecks' envbool/envint idea: a bad value must stop the process with a clear sentence, not surface
later as a confusing error deep inside a request.
"""

from __future__ import annotations

import os
from ipaddress import IPv4Network, IPv6Network, ip_network
from urllib.parse import urlparse

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false (1/0, yes/no, on/off), got {raw!r}.")


def env_int(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {raw!r}.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}.")
    if maximum is not None and value > maximum:
        raise ImproperlyConfigured(f"{name} must be at most {maximum}, got {value}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_url(name: str, *, schemes: tuple[str, ...], default: str = "") -> str:
    raw = env_str(name, default)
    if not raw:
        return ""
    parsed = urlparse(raw)
    if parsed.scheme not in schemes or not (parsed.netloc or parsed.path):
        raise ImproperlyConfigured(
            f"{name} must be a URL starting with {' or '.join(s + '://' for s in schemes)}, got {raw!r}.")
    return raw


# Connections are kept by a worker between requests for this long (Django's CONN_MAX_AGE): a SpatiaLite connection
# loads the extension when it opens and a PostgreSQL one forks a server backend, several milliseconds of CPU that a
# request would otherwise pay each time (docs/performance.md, "Budget per request"). Health-checked before reuse, so a
# restarted server costs one reconnect; runserver closes its connections after every request anyway.
CONN_MAX_AGE_S = 60


def database_config(url: str, sqlite_path: str) -> dict:
    """DATABASE_URL → Django DATABASES['default']; empty means the embedded SpatiaLite file."""
    kept = {"CONN_MAX_AGE": CONN_MAX_AGE_S, "CONN_HEALTH_CHECKS": True}
    if not url:
        return {"ENGINE": "django.contrib.gis.db.backends.spatialite", "NAME": sqlite_path, **kept}
    import dj_database_url

    scheme = urlparse(url).scheme
    engines = {
        "postgis": "django.contrib.gis.db.backends.postgis",
        "postgres": "django.contrib.gis.db.backends.postgis",
        "postgresql": "django.contrib.gis.db.backends.postgis",
        "spatialite": "django.contrib.gis.db.backends.spatialite",
    }
    if scheme not in engines:
        raise ImproperlyConfigured(
            "DATABASE_URL must start with postgis:// (PostgreSQL + PostGIS) or spatialite:///path, got scheme "
            f"{scheme!r}."
        )
    if scheme == "spatialite":
        path = urlparse(url).path
        return {"ENGINE": engines[scheme], "NAME": path or sqlite_path, **kept}
    config = dj_database_url.parse(url.replace(f"{scheme}://", "postgres://", 1), conn_max_age=CONN_MAX_AGE_S,
                                   conn_health_checks=True)
    config["ENGINE"] = engines[scheme]
    return config


def env_networks(name: str) -> list[IPv4Network | IPv6Network]:
    """A comma-separated list of IP addresses and CIDR blocks (10.0.0.5, 10.1.0.0/16, ::1); empty: none."""
    networks: list[IPv4Network | IPv6Network] = []
    for item in env_list(name, []):
        try:
            networks.append(ip_network(item, strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"{name} must list IP addresses or CIDR blocks separated by commas (10.0.0.5,10.1.0.0/16), got "
                f"{item!r}."
            ) from None
    return networks
