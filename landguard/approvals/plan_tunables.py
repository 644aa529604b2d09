"""The configurable rules of the 土地征收成片开发方案 checks (approvals.plans), in one place, each with its default,
whether the default is confirmed, and its basis (domain-land.md §A.5, domain.md §6).

Every value can be overridden by a Django setting of the same name (PLANS_…), read at call time, so a deployment
— or a test with override_settings — changes it without touching code. The plan page shows the value in force
beside each check and marks the unconfirmed ones 待确认.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from django.utils.translation import gettext_lazy as _

from landguard.core.tunables import Catalog, Tunable


CATALOG = Catalog((
    # 公益性用地比例一般不低于40% (自然资规〔2020〕5号, kept by 自然资规〔2023〕7号): confirmed (domain.md §6, C).
    Tunable("PLANS_PUBLIC_SHARE_MIN_PERCENT", Decimal(40), True,
            _("自然资规〔2020〕5号、〔2023〕7号：公益性用地比例一般不低于40%")),
    # ≥ 2/3 of the village assembly or representatives: from memory of the 2020 标准 第六条 (domain-land.md I).
    Tunable("PLANS_CONSENT_SHARE", "2/3", False,
            _("《土地征收成片开发标准》：须经集体经济组织村民会议三分之二以上成员或三分之二以上村民代表同意")),
    Tunable("PLANS_CONSENT_HARD", True, False, _("同意比例不足时不得报批")),
    # An approved plan that missed its yearly implementation plan this many years running blocks new ones
    # (烟台's list is C for a local version; the national wording is I).
    Tunable("PLANS_MISSED_YEARS", 2, False, _("已批准方案连续两年未完成年度实施计划的，不得报批新的方案")),
    Tunable("PLANS_MISSED_YEARS_HARD", True, False, _("达到连续未完成年数时不得报批")),
    # The 方案 term: 5 years in the 2023 标准 (commonly cited; not checked).
    Tunable("PLANS_TERM_YEARS", 5, False, _("自然资规〔2023〕7号：方案实施期限一般为5年")),
    Tunable("PLANS_TERM_HARD", True, False, _("年度实施计划超出实施期限时不得报批")),
    # The county's 近五年平均供地率 as a gate: 烟台's local rule (domain.md §6, C for that city; domain-land.md §B.3),
    # not a national one, so flagged as a local rule to confirm for each province.
    Tunable("PLANS_SUPPLY_RATE_MIN_PERCENT", Decimal(65), False,
            _("地方规定（如烟台）：县（市、区）近五年平均供地率不低于65%，方可报批成片开发方案")),
    Tunable("PLANS_SUPPLY_RATE_HARD", True, False, _("供地率低于下限时不得报批")),
    # Published figures are printed to 4 dp: a gap below this is rounding, not a gap.
    Tunable("PLANS_FIGURE_TOLERANCE_HA", Decimal("0.0001"), True, _("方案数据保留4位小数")),
))
TUNABLES = CATALOG.by_name
get = CATALOG.value



def consent_share() -> Fraction:
    """The consent share in force as a fraction ("2/3" or a number)."""
    return Fraction(str(get("PLANS_CONSENT_SHARE")))


def public_share_min() -> Decimal:
    return Decimal(str(get("PLANS_PUBLIC_SHARE_MIN_PERCENT")))
