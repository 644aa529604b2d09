"""What layers plugs into the shell at start-up (imported in LayersConfig.ready): the search of layers by name
or owning region code."""

from __future__ import annotations

from django.urls import reverse

from landguard.layers.views import LAYERS
from landguard.shell import search

search.register(search.listing_provider(
    "layers.layers", LAYERS, label=lambda layer: layer.name,
    url=lambda layer: reverse("layers:detail", args=[layer.slug]), detail=lambda layer: layer.get_kind_display(),
    order=30))
