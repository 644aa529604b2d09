"""What layers plugs into the shell at start-up (imported in LayersConfig.ready): the search of layers by name
or owning region code, and of parcels (any layer's features) by their number."""

from __future__ import annotations

from django.urls import reverse

from django.utils.http import urlencode
from django.utils.translation import gettext_lazy

from landguard.core.scope import RegionScope
from landguard.engine.landclass import code_and_name
from landguard.layers import selectors
from landguard.layers.views import LAYERS
from landguard.shell import search

search.register(search.listing_provider(
    "layers.layers", LAYERS, label=lambda layer: layer.name,
    url=lambda layer: reverse("layers:detail", args=[layer.slug]), detail=lambda layer: layer.get_kind_display(),
    order=30))


PARCELS = gettext_lazy("图斑")


def _parcels(scope: RegionScope, query: str, limit: int) -> list[search.Hit]:
    hits = []
    for feature in selectors.parcels_numbered(scope, query, limit):
        layer = feature.version.layer
        url = f"{reverse('layers:features', args=[layer.slug])}?{urlencode({'q': feature.fid})}"
        land = code_and_name(feature.code) if layer.kind == "dltb" else feature.code
        hits.append(search.Hit(feature.fid, str(PARCELS), url, " · ".join(filter(None, [layer.name, land]))))
    return hits


search.register(search.SearchProvider(key="layers.parcels", title=PARCELS, search=_parcels, more_url=None, order=32))
