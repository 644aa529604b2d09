from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject

from landguard.core import figures_cache
from landguard.core.scope import scope_for
from landguard.inbox import selectors as inbox_selectors
from landguard.people import selectors as people_selectors
from landguard.regions import selectors as region_selectors
from landguard.shell.pages import scope_label


def _shows_synthetic(scope) -> bool:
    """True when the user's scope holds synthetic demo records: the shell then shows the "合成演示数据" banner."""
    return (region_selectors.regions(scope).filter(is_synthetic=True).exists()
            or people_selectors.org_units(scope).filter(is_synthetic=True).exists()
            or people_selectors.users(scope).filter(is_synthetic=True).exists())


def _offline_outlines(scope) -> dict[str, str]:
    """Counties and townships; for a township's own users their villages too (a township fills their map)."""
    try:
        url = reverse("web:regions-geojson")
    except NoReverseMatch:  # a URLconf without the shell's pages (error-page tests)
        return {}
    levels = ["county", "township"]
    prefixes = getattr(scope, "prefixes", ()) or ()
    if prefixes and all(len(p) >= 9 for p in prefixes):
        levels.append("village")
    return {level: f"{url}?level={level}" for level in levels}


def site(request):
    """Values every page needs: the base-map configuration, whether the user may manage their scope, the
    scope's label, whether it holds synthetic data and the unread count of the inbox (the badge of the top bar).
    Lazy, so pages that don't use a value pay nothing."""
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    scope = scope_for(user) if signed_in else None
    return {
        "basemap": {
            "tianditu_key": settings.TIANDITU_KEY,
            "tile_url": settings.BASEMAP_TILE_URL,
            "attribution": settings.BASEMAP_ATTRIBUTION,
            # The offline base (static/web/map.js `addOutlines`): the scope's counties and townships, scoped like
            # every region overlay.
            "outlines": {} if not signed_in or settings.TIANDITU_KEY or settings.BASEMAP_TILE_URL
            else _offline_outlines(scope),
        },
        "can_manage": signed_in and user.can_manage,
        "scope_label": SimpleLazyObject(lambda: scope_label(scope)) if signed_in else "",
        # Read on every page, changed only by loading or removing the demo: kept with the figures.
        "shows_synthetic": SimpleLazyObject(lambda: figures_cache.cached("site.synthetic", scope,
                                                                          lambda: _shows_synthetic(scope)))
        if signed_in else False,
        "inbox_unread": SimpleLazyObject(lambda: inbox_selectors.unread_count(scope, user)) if signed_in else 0,
    }
