"""Tile keys: a read-only credential in a vector-tile URL template, for GIS clients that can send neither a
token header nor HTTP Basic with each tile (a tile template pasted into a web map, an older QGIS style URL).

A key opens the tiles of ONE layer for ONE user, and nothing else (not the GeoJSON, not the OGC API, not
the pages); it expires (TILE_KEY_DAYS, env LANDGUARD_TILE_KEY_DAYS) and dies with a password change or deactivation,
since it
carries a fingerprint of the password hash. Nothing is stored: the key is signed with SECRET_KEY. It travels
in the query string (`?key=`), so every log LandGuard writes redacts it (core.logredact) and docs/serving.md
says how to keep it out of gunicorn's and nginx's access logs.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

SALT = "landguard.layers.tile-key"
PARAM = "key"


def _fingerprint(user: Any) -> str:
    return salted_hmac(SALT, user.password).hexdigest()[:16]


def issue(user: Any, slug: str) -> str:
    """A key for `user` to read the tiles of the layer `slug`."""
    return signing.dumps({"u": user.pk, "l": slug, "p": _fingerprint(user)}, salt=SALT, compress=False)


def expires(issued: dt.datetime | None = None) -> dt.datetime:
    """When a key issued at `issued` (default: now) stops opening tiles."""
    from django.utils import timezone

    return (issued or timezone.now()) + dt.timedelta(days=settings.TILE_KEY_DAYS)


def user_for(key: str, slug: str) -> Any:
    """The active user a valid, unexpired key for the layer `slug` stands for, else None."""
    try:
        data = signing.loads(key, salt=SALT, max_age=dt.timedelta(days=settings.TILE_KEY_DAYS))
    except signing.BadSignature:  # includes SignatureExpired
        return None
    if not isinstance(data, dict) or data.get("l") != slug or not isinstance(data.get("u"), int):
        return None
    user = get_user_model().objects.filter(pk=data["u"], is_active=True).first()
    if user is None or not constant_time_compare(str(data.get("p", "")), _fingerprint(user)):
        return None
    return user
