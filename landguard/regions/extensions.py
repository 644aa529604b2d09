"""What regions plugs into the shell at start-up (imported in RegionsConfig.ready): the region directory the
shell's labels and list filters read, and the search of regions by name or code."""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse

from landguard.core.scope import RegionScope
from landguard.regions import selectors
from landguard.regions.models import Level, Region
from landguard.regions.views import REGIONS
from landguard.shell import regions as shell_regions
from landguard.shell import search


class Directory:
    def root_label(self, scope: RegionScope) -> str | None:
        root = selectors.scope_root(scope)
        return str(root) if root is not None else None

    def townships(self, scope: RegionScope) -> QuerySet[Region]:
        # Every list's township filter reads these: their outlines are most of the rows and never shown there.
        return selectors.regions(scope).filter(level=Level.TOWNSHIP).select_related(None).defer("geom")


shell_regions.register(Directory())

search.register(search.listing_provider(
    "regions.regions", REGIONS, label=lambda r: r.name, url=lambda r: reverse("regions:detail", args=[r.code]),
    detail=lambda r: f"{r.code} · {r.get_level_display()}", order=40))
