"""What the shell needs to know about regions without importing `landguard.regions`: the name of a scope's root
region (its label in the top bar and in export title rows) and the townships a list filter offers. The regions app
registers its directory at start-up (`regions/extensions.py`)."""

from __future__ import annotations

from typing import Protocol

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet

from landguard.core.scope import RegionScope


class RegionDirectory(Protocol):
    def root_label(self, scope: RegionScope) -> str | None:
        """"冠县（371525）" for the scope's root region; None when it has none (a retired or missing code)."""

    def townships(self, scope: RegionScope) -> QuerySet:
        """The current townships inside the scope, each with `code` and `name`."""


_directory: RegionDirectory | None = None


def register(directory: RegionDirectory) -> RegionDirectory:
    global _directory
    if _directory is not None and _directory is not directory:
        raise ImproperlyConfigured("a region directory is registered twice")
    _directory = directory
    return directory


def directory() -> RegionDirectory:
    if _directory is None:
        raise ImproperlyConfigured("no region directory is registered (is landguard.regions installed?)")
    return _directory
