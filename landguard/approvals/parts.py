"""The parts of an approval package (一书四方案, domain.md §5), configurable per province.

The default is the national "一书四方案": 建设用地呈报说明书, 农用地转用方案, 补充耕地方案, 征收土地方案, 供地方案.
Whether
every province still requires the 供地方案 in each package after 2021 is not confirmed (domain-land.md §A.3, I), so
it is listed but not required by default; a province's own list goes in settings.APPROVAL_PACKAGE_PARTS under its
two-digit code. A part that does not apply to a dossier (no 耕地 → no 补充耕地方案, no 征收 → no 征收土地方案) is not
asked for."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from landguard.approvals.models import Dossier


@dataclass(frozen=True)
class Part:
    key: str
    label: str | Promise
    required: bool = True
    # always / farmland (only when 耕地 is occupied) / expropriation (only when land is expropriated)
    applies: str = "always"


DEFAULT_PARTS: tuple[Part, ...] = (
    Part("explanation", _("建设用地呈报说明书")),
    Part("conversion", _("农用地转用方案")),
    Part("supplement", _("补充耕地方案"), applies="farmland"),
    Part("expropriation", _("征收土地方案"), applies="expropriation"),
    Part("supply", _("供地方案"), required=False),  # 待确认: see the module docstring
)


def package_parts(region_code: str) -> tuple[Part, ...]:
    """The parts of a package in the province holding `region_code`."""
    configured = getattr(settings, "APPROVAL_PACKAGE_PARTS", {}) or {}
    return tuple(configured.get(region_code[:2], DEFAULT_PARTS))


def applicable(dossier: Dossier) -> list[Part]:
    """The parts this dossier's package has (a part that does not apply to it is left out)."""
    out = []
    for part in package_parts(dossier.region_code):
        if part.applies == "farmland" and dossier.farmland_m2 <= 0:
            continue
        if part.applies == "expropriation" and dossier.expropriation_m2 <= 0:
            continue
        out.append(part)
    return out


def missing(dossier: Dossier) -> list[tuple[str, str]]:
    """The required parts not yet marked done, as (key, label)."""
    done = set(dossier.parts_done or [])
    return [(p.key, str(p.label)) for p in applicable(dossier) if p.required and p.key not in done]
