"""Joining words into running text in the reader's language: Chinese lists take 、 and clauses ；, English ", " and
"; ". A literal "、".join(...) leaves Chinese punctuation inside an English sentence."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import pgettext


def join_list(items: Iterable[Any]) -> str:
    """Items of an enumeration: 「耕地数量、水田规模」 / "quantity, paddy"."""
    return pgettext("list separator", "、").join(str(item) for item in items)


def join_clauses(items: Iterable[Any]) -> str:
    """Clauses of one sentence: 「…；…」 / "…; …"."""
    return pgettext("clause separator", "；").join(str(item) for item in items)
