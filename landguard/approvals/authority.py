"""Who approves a dossier, derived from the law and shown with its reason (domain-land.md §A.1).

Two approvals, two articles of the 土地管理法 (2019):
- 农用地转用 (第44条): 永久基本农田 → 国务院; 单独选址 (outside the planned urban/village construction scale) →
  国务院 or a province it authorised; 批次 (inside that scale, under the annual plan) → the authority that approved
  the 国土空间规划 or the one it authorised; a specific project inside an approved 农转用 area → 市、县人民政府.
- 征收 (第46条): 永久基本农田, or 耕地 other than 永农 over 35 公顷, or other land over 70 公顷 → 国务院; otherwise the
  province. "超过" is strict: exactly 35 公顷 of 耕地 stays with the province.

国发〔2020〕4号 authorised every province for the State Council's 永农-excluded 农转用 powers and entrusted pilot
provinces with 永农 转用 and the 35/70 公顷 征收 approvals; its details are marked I (inferred) in domain-land.md,
so the delegations are configuration (settings.APPROVAL_DELEGATIONS, by province code), not code, and 山东 (37) is not a
pilot by default. Pure: no database; callers pass areas in m² from the spatial engine.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from landguard.core.geodesy import hectares
from landguard.core.text import join_clauses

# 土地管理法 第46条: 耕地 (other than 永农) over 35 公顷 and other land over 70 公顷 are the State Council's.
FARMLAND_LIMIT_M2 = 35 * 10_000
OTHER_LAND_LIMIT_M2 = 70 * 10_000


class Authority(models.TextChoices):
    STATE_COUNCIL = "state_council", _("国务院")
    PROVINCE = "province", _("省级人民政府")
    PLAN_APPROVER = "plan_approver", _("国土空间规划批准机关或其授权的机关")
    CITY_COUNTY = "city_county", _("市、县人民政府")


class DossierKind(models.TextChoices):
    BATCH = "batch", _("批次用地")
    SEPARATE_SITE = "separate_site", _("单独选址")
    CITY_PROJECT = "city_project", _("市县批准的具体项目")


@dataclass(frozen=True)
class Delegation:
    """What the State Council delegated to one province (国发〔2020〕4号). `separate_site`: 永农-excluded 单独选址
    农转用 (authorised to every province); `basic_farmland_conversion` and `expropriation_over_limits`: the powers
    entrusted to pilot provinces only."""

    separate_site: bool = True
    basic_farmland_conversion: bool = False
    expropriation_over_limits: bool = False


DEFAULT_DELEGATION = Delegation()


@dataclass(frozen=True)
class Decision:
    authority: Authority
    reason: str | Promise  # the rule that decided it, with the figures, in the reader's language
    article: str | Promise  # the law it rests on

    @property
    def label(self) -> Promise:
        return Authority(self.authority).label


def delegation_for(region_code: str, delegations: Mapping[str, Delegation] | None = None) -> Delegation:
    """The delegation of the province holding `region_code` (its first two digits)."""
    return (delegations or {}).get(region_code[:2], DEFAULT_DELEGATION)


def conversion_authority(kind: str, *, basic_farmland_m2: float,
                         delegation: Delegation = DEFAULT_DELEGATION) -> Decision:
    """Who approves the 农用地转用 of a dossier of `kind` touching `basic_farmland_m2` of 永久基本农田."""
    article = _("《土地管理法》第四十四条")
    if basic_farmland_m2 > 0:
        if delegation.basic_farmland_conversion:
            return Decision(Authority.PROVINCE, _("涉及永久基本农田 %(ha)s 公顷，国务院已委托本省批准（国发〔2020〕4"
                                                  "号）")
                            % {"ha": f"{hectares(basic_farmland_m2):,.4f}"}, article)
        return Decision(Authority.STATE_COUNCIL, _("涉及永久基本农田 %(ha)s 公顷，农用地转用由国务院批准")
                        % {"ha": f"{hectares(basic_farmland_m2):,.4f}"}, _("《土地管理法》第四十四条第二款"))
    if kind == DossierKind.SEPARATE_SITE:
        if delegation.separate_site:
            return Decision(Authority.PROVINCE, _("单独选址项目，不涉及永久基本农田：国务院授权省级人民政府批准（国"
                                                  "发〔2020〕4号）"),
                            _("《土地管理法》第四十四条第四款"))
        return Decision(Authority.STATE_COUNCIL, _("单独选址项目：由国务院批准"), _("《土地管理法》第四十四条第四款"))
    if kind == DossierKind.CITY_PROJECT:
        return Decision(Authority.CITY_COUNTY, _("在已批准的农用地转用范围内的具体建设项目用地，由市、县人民政府批准"),
                        _("《土地管理法》第四十四条第三款"))
    return Decision(Authority.PLAN_APPROVER, _("规划确定的城市和村庄、集镇建设用地规模范围内，按年度计划分批次转用，"
                                               "由原批准国土空间规划的机关或其授权的机关批准"),
                    _("《土地管理法》第四十四条第三款"))


def expropriation_authority(*, basic_farmland_m2: float, farmland_m2: float, other_m2: float,
                            delegation: Delegation = DEFAULT_DELEGATION) -> Decision | None:
    """Who approves the 征收 of collective land: `basic_farmland_m2` of 永农, `farmland_m2` of 耕地 other than 永农
    and `other_m2` of other land, all to be expropriated. None when nothing is expropriated (state land only)."""
    if basic_farmland_m2 <= 0 and farmland_m2 <= 0 and other_m2 <= 0:
        return None
    article = _("《土地管理法》第四十六条")
    over = []
    if basic_farmland_m2 > 0:
        over.append(_("征收永久基本农田 %(ha)s 公顷") % {"ha": f"{hectares(basic_farmland_m2):,.4f}"})
    if farmland_m2 > FARMLAND_LIMIT_M2:
        over.append(_("征收永久基本农田以外的耕地 %(ha)s 公顷，超过 35 公顷") % {"ha": f"{hectares(farmland_m2):,.4f}"})
    if other_m2 > OTHER_LAND_LIMIT_M2:
        over.append(_("征收其他土地 %(ha)s 公顷，超过 70 公顷") % {"ha": f"{hectares(other_m2):,.4f}"})
    if over:
        if delegation.expropriation_over_limits:
            return Decision(Authority.PROVINCE, _("%(what)s：国务院已委托本省批准（国发〔2020〕4号）")
                            % {"what": join_clauses(str(o) for o in over)}, article)
        what = join_clauses(str(o) for o in over)
        return Decision(Authority.STATE_COUNCIL, _("%(what)s：由国务院批准") % {"what": what},
                        article)
    return Decision(Authority.PROVINCE, _("征收耕地 %(farm)s 公顷（不超过 35 公顷）、其他土地 %(other)s 公顷（不超过 "
                                          "70 公顷），"
                                          "不涉及永久基本农田：由省级人民政府批准")
                    % {"farm": f"{hectares(farmland_m2):,.4f}", "other": f"{hectares(other_m2):,.4f}"}, article)
