"""Password-guessing brake shared by the web login form and POST /api/auth/token/.

Failures are counted in the cache (shared between hosts when LANDGUARD_REDIS_URL is set) per account and per
client address (landguard.core.client), each in a window of LANDGUARD_LOGIN_LOCKOUT_MINUTES. Past either limit
the login is refused before the password is even checked, until the window ends. The per-account count stops a
slow guess of one password spread over many addresses; the per-address count stops one address trying many
accounts. A successful login clears its account's count (the address's count stays: a guesser who knows one
password must not reset the brake on the others).
"""

from __future__ import annotations

import hashlib
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import ngettext

from landguard.core.client import client_ip


def _account_key(username: str) -> str:
    # Hashed: a username may hold characters the cache backend refuses in a key.
    digest = hashlib.sha256(username.strip().lower().encode("utf-8")).hexdigest()[:32]
    return f"landguard:login-fail:user:{digest}"


def _address_key(request: HttpRequest) -> str:
    return f"landguard:login-fail:ip:{client_ip(request)}"


def _window() -> int:
    return settings.LOGIN_LOCKOUT_MINUTES * 60


def _count(key: str) -> int:
    return int(cache.get(key) or 0)


def refusal(request: HttpRequest, username: str) -> str | None:
    """A message telling the person why and for how long, when this login is not to be checked at all."""
    for key, limit in ((_account_key(username), settings.LOGIN_FAILURES_PER_ACCOUNT),
                       (_address_key(request), settings.LOGIN_FAILURES_PER_ADDRESS)):
        if _count(key) >= limit:
            started = cache.get(f"{key}:since") or time.time()
            minutes = max(1, math.ceil((started + _window() - time.time()) / 60))
            return ngettext("登录失败次数过多，已暂停登录。请 %(minutes)d 分钟后再试，或联系管理员重置密码。",
                            "登录失败次数过多，已暂停登录。请 %(minutes)d 分钟后再试，或联系管理员重置密码。",
                            minutes) % {"minutes": minutes}
    return None


def failed(request: HttpRequest, username: str) -> None:
    for key in (_account_key(username), _address_key(request)):
        # add + incr: atomic on Redis, so parallel guesses are all counted. The window runs from the first
        # failure (the key's timeout is not renewed), so a trickle cannot keep an account shut for ever.
        if cache.add(key, 0, _window()):
            cache.set(f"{key}:since", time.time(), _window())
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, _window())
        # Django's generic incr (file cache) re-stores with the default timeout: put the window's end back.
        since = cache.get(f"{key}:since") or time.time()
        cache.touch(key, max(1, int(since + _window() - time.time())))


def succeeded(request: HttpRequest, username: str) -> None:
    cache.delete_many([_account_key(username), f"{_account_key(username)}:since"])
