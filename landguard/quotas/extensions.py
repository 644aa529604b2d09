"""What quotas plugs into the shell at start-up (imported in QuotasConfig.ready): the dashboard tile of quota
warnings (low balances, 周转 return deadlines) with this year's available 计划指标 per region.

Warnings are computed from the ledgers whenever a page is shown rather than pushed to the inbox by a sweep: a
warning is a state of the ledger, not an event — it must disappear as soon as the ledger is topped up or the
quota returned, which a message already sent cannot do — and computing it needs no extra process."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

from landguard.core import clock
from landguard.core.scope import RegionScope
from landguard.quotas import selectors
from landguard.quotas.models import Kind
from landguard.shell import dashboard, homes


def tile(scope: RegionScope) -> dict[str, Any]:
    year = clock.today().year
    shown = list(selectors.accounts(scope, year=year, kind=Kind.PLAN))
    found = selectors.balances_of(shown)
    rows = [{"name": a.region.name, "value": float(found[a.pk].available)} for a in shown]
    return {"warnings": selectors.warnings(scope), "year": year, "charts": {"quotas_plan_available": rows}}


dashboard.register(dashboard.Tile(key="quotas.warnings", template="quotas/_dashboard_tile.html", context=tile,
                                  order=40))


def home_warnings(viewer: homes.Viewer) -> dict[str, Any] | None:
    """The quota warnings of the scope on a leader's or admin's home; nothing when the ledgers need no attention."""
    found = selectors.warnings(viewer.scope)
    return {"warnings": found[:6], "count": len(found)} if found else None


homes.register(homes.HomeSection("quotas.warnings", gettext_lazy("用地指标预警"), "quotas/home/_warnings.html",
                                 home_warnings, roles=frozenset({homes.LEADER, homes.ADMIN}), order=40))
