"""API tokens that expire (LANDGUARD_TOKEN_DAYS after issue) and can be revoked.

DRF's authtoken keeps one token per user and never expires it. Here a token older than the lifetime is
refused with 401 and a message saying so; the next POST /api/auth/token/ issues a fresh one
(people.services.issue_token). Revoking deletes the row (people.services.revoke_token), audited.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed


def lifetime() -> timedelta:
    return timedelta(days=settings.TOKEN_LIFETIME_DAYS)


def expires_at(token: Token) -> datetime:
    return token.created + lifetime()


def is_expired(token: Token) -> bool:
    return timezone.now() >= expires_at(token)


class ExpiringTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`, refused once the token has outlived LANDGUARD_TOKEN_DAYS."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        user, token = super().authenticate_credentials(key)
        if is_expired(token):
            raise AuthenticationFailed(_("令牌已过期，请用用户名和密码重新获取（POST /api/auth/token/）。"))
        return user, token
