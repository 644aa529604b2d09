"""What an enterprise service request (企业服务诉求, projects app) led to, told by the apps that keep the work.

A land service commissioner (土地服务专员) helps an enterprise with quota, an expropriation, a transfer or a
registration; the dossier, the supply record or the registration names the request it was done under. The
projects app keeps the requests but sits below the apps that keep that work, so each of them registers here what
it can say about a set of requests: the items linked to one request (its page lists them) and a tally over many
(the commissioner's figures, "12 宗出让 821.66 亩; 7 件登记", come out of the links, never typed in)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.utils.functional import Promise

from landguard.core.scope import RegionScope
from landguard.shell.registry import Registry

Text = str | Promise


@dataclass(frozen=True)
class Tally:
    count: int
    amount: Decimal | None = None  # the work's measure in 亩 (area or quota); None when it has none
    approved: int | None = None  # of `count`, those approved (征收); None when the work has no approval


@dataclass(frozen=True)
class Linked:
    label: str
    url: str
    detail: str = ""


@dataclass(frozen=True)
class LinkedWork:
    key: str  # "<app>.<what>", e.g. "supply.records"
    label: Text  # 土地出让
    unit: Text  # 宗 / 件
    amount_label: Text | None  # "面积（亩）"; None when the work has no measure
    # (scope, the requests) → the tally of the linked work the scope may see
    tally: Callable[[RegionScope, QuerySet], Tally]
    # (scope, one request's id) → the linked items the scope may see
    items: Callable[[RegionScope, int], list[Linked]]
    basis: Text = ""  # how it is counted, printed under the figures
    has_approval: bool = False
    order: int = 100


WORKS: Registry[LinkedWork] = Registry("service-request link", key=lambda w: w.key, order=lambda w: w.order)
register = WORKS.register


def works() -> list[LinkedWork]:
    return WORKS.all()
