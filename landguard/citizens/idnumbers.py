"""Resident ID numbers (居民身份证号码, GB 11643-1999): validated, looked up by a keyed HMAC, kept for display only
under authenticated encryption, shown masked.

An 18-digit ID number has about 10^9 plausible values once the region and birth date are guessed, so a plain hash is
brute-forced in minutes: the look-up value is an HMAC-SHA256 under a secret key (`LANDGUARD_ID_HMAC_KEY`), and the
number itself is stored only as AES-256-GCM ciphertext under a second, separate key (`LANDGUARD_ID_ENCRYPTION_KEY`),
bound to its purpose by associated data. Both keys come from the environment (settings.py); a development default
exists only when the deployment does not require secrets (as for `LANDGUARD_SECRET_KEY`). Nothing here logs a
number, and `str()` of an `IdNumber` is the masked form, so an accidental f-string or log line leaks nothing.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import os
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"  # sum of weighted digits mod 11 → check character (GB 11643-1999)
_SHAPE = re.compile(r"^[1-9]\d{16}[\dX]$")
_AAD = b"landguard.citizens.id-number.v1"
_PREFIX = "v1:"


def check_char(first17: str) -> str:
    return CHECK_CHARS[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


def normalize(raw: str) -> str:
    """The number as stored and compared: spaces removed, a lower-case x made upper-case, full-width digits folded."""
    text = "".join(raw.split()).upper()
    return text.translate({0xFF10 + i: ord("0") + i for i in range(10)} | {0xFF38: ord("X")})


def validate(raw: str) -> str:
    """The normalised number, or ValidationError saying what is wrong (never repeating the number)."""
    number = normalize(raw or "")
    if len(number) != 18 or not _SHAPE.match(number):
        raise ValidationError(_("身份证号码应为18位：前17位为数字，最后一位为数字或X。"), code="id_shape")
    try:
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(_("身份证号码中的出生日期不存在。"), code="id_birth") from None
    if born.year < 1900 or born > dt.date.today():
        raise ValidationError(_("身份证号码中的出生日期不在合理范围内。"), code="id_birth")
    if check_char(number[:17]) != number[17]:
        raise ValidationError(_("身份证号码校验位不正确，请核对。"), code="id_check")
    return number


def mask(number: str) -> str:
    """3715**********123X: the first four (province and city) and the last four characters."""
    return f"{number[:4]}{'*' * (len(number) - 8)}{number[-4:]}" if len(number) > 8 else "*" * len(number)


def _key(name: str) -> bytes:
    secret = getattr(settings, name, "")
    if not secret:
        from django.core.exceptions import ImproperlyConfigured
        raise ImproperlyConfigured(f"{name} must be set (a long random string).")
    return hashlib.sha256(secret.encode()).digest()


def lookup_hash(number: str) -> str:
    """The keyed HMAC-SHA256 the database finds a person by (hex)."""
    return hmac.new(_key("LANDGUARD_ID_HMAC_KEY"), number.encode(), hashlib.sha256).hexdigest()


def keyed_digest(data: bytes) -> str:
    """A keyed digest of a provider's answer (the result hash): proves what was received without keeping it, and
    cannot be brute-forced back to the personal data in it."""
    return hmac.new(_key("LANDGUARD_ID_HMAC_KEY"), b"answer:" + data, hashlib.sha256).hexdigest()


def encrypt(number: str) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(_key("LANDGUARD_ID_ENCRYPTION_KEY")).encrypt(nonce, number.encode(), _AAD)
    return _PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()


def decrypt(token: str) -> str:
    """The number back; ValueError when the key is not the one it was sealed with or the text was altered."""
    if not token.startswith(_PREFIX):
        raise ValueError("not an encrypted ID number")
    blob = base64.urlsafe_b64decode(token[len(_PREFIX):].encode())
    try:
        return AESGCM(_key("LANDGUARD_ID_ENCRYPTION_KEY")).decrypt(blob[:12], blob[12:], _AAD).decode()
    except InvalidTag:
        raise ValueError("the ID number cannot be decrypted with this key") from None


@dataclass(frozen=True)
class IdNumber:
    """A validated number in memory: its repr and str are masked, so it never reaches a log in clear."""

    value: str

    @classmethod
    def parse(cls, raw: str) -> IdNumber:
        return cls(validate(raw))

    @property
    def masked(self) -> str:
        return mask(self.value)

    @property
    def lookup(self) -> str:
        return lookup_hash(self.value)

    def __str__(self) -> str:
        return self.masked

    def __repr__(self) -> str:
        return f"IdNumber({self.masked})"
