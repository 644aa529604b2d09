"""The one way a shell registry keeps what apps register: by key, once. A second registration of the same key
with something else is a programming error (two apps claiming one name), refused at start-up; registering the very
same entry again (a module imported twice) is harmless."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from django.core.exceptions import ImproperlyConfigured

T = TypeVar("T")


class Registry(Generic[T]):
    def __init__(self, what: str, key: Callable[[T], str], order: Callable[[T], int] | None = None) -> None:
        self.what = what
        self._key = key
        self._order = order
        self._entries: dict[str, T] = {}

    def key_of(self, entry: T) -> str:
        return self._key(entry)

    def register(self, entry: T) -> T:
        key = self._key(entry)
        existing = self._entries.get(key)
        if existing is not None and existing != entry:
            raise ImproperlyConfigured(f"{self.what} {key!r} is registered twice")
        self._entries[key] = entry
        return entry

    def unregister(self, key: str) -> None:
        """For tests that register a throw-away entry."""
        self._entries.pop(key, None)

    def get(self, key: str) -> T | None:
        return self._entries.get(key)

    def all(self) -> list[T]:
        """Every entry, by its order and then its key, so pages list them the same way on every start."""
        entries = list(self._entries.values())
        if self._order is not None:
            order = self._order
            return sorted(entries, key=lambda e: (order(e), self._key(e)))
        return sorted(entries, key=self._key)
