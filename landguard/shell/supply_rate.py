"""Supply-rate providers (供地率): the county's 供地率 over the assessment window, which the 成片开发 checklist of
the approvals app reads as a gate without importing the supply app.

The supply app registers a provider at start-up (`supply/extensions.py`) answering, for a region and a day, the
supplied and approved areas of the dossiers approved within the window, the rate and the formula it used. With no
provider registered the check says 未接入 (na)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.functional import Promise

from landguard.shell.registry import Registry


@dataclass(frozen=True)
class SupplyRate:
    approved_m2: float  # the window's approved area (批准面积)
    supplied_m2: float  # the part of it supplied (已供面积)
    rate: Decimal | None  # percent, 2 dp; None when nothing was approved in the window
    window: str  # "2021–2025"
    formula: str  # printed next to the figure
    to_confirm: bool = True  # the provincial formula is not confirmed


@dataclass(frozen=True)
class SupplyRateProvider:
    key: str  # "<app>.<what>", e.g. "supply.rate"
    label: str | Promise
    rate: Callable[[str, dt.date], SupplyRate]  # (region code prefix, the day) → the figure
    order: int = 100


PROVIDERS: Registry[SupplyRateProvider] = Registry("supply-rate provider", key=lambda p: p.key,
                                                   order=lambda p: p.order)
register = PROVIDERS.register


def rate(region_code: str, on: dt.date) -> SupplyRate | None:
    """The first registered provider's figure, or None when no provider is registered (未接入)."""
    providers = PROVIDERS.all()
    return providers[0].rate(region_code, on) if providers else None
