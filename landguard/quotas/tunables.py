"""The configurable rules of the quota ledgers, each with its default and whether the default is confirmed.

Every value can be overridden by a Django setting of the same name (QUOTAS_…), read at call time, so a deployment
— or a test with override_settings — changes it without touching code. The settings page (quotas:settings) shows
every value in force and marks the inferred ones 待确认 (domain-land.md §G: no official text was found).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from landguard.quotas.models import Kind


class ReportedBasis(models.TextChoices):
    """What counts as "reported" (上报) in 上报比例."""

    OPEN_AND_SETTLED = "open_and_settled", _("预占中与已核销之和（不含已退回）")
    ALL_RESERVATIONS = "all_reservations", _("全部预占（含已退回）")


class ApprovedBasis(models.TextChoices):
    """The denominator of 批复比例."""

    OF_REPORTED = "of_reported", _("已核销 ÷ 上报")
    OF_ISSUED = "of_issued", _("已核销 ÷ 下达")


@dataclass(frozen=True)
class OffsetPeriod:
    """Which 占补平衡 indicator kinds one approval batch deducts, for batches dated within the period."""

    valid_from: dt.date | None
    valid_to: dt.date | None  # inclusive
    kinds: tuple[str, ...]
    confirmed: bool
    basis: Any

    def covers(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)


# Until 2024-12-31: the three indicators deducted per batch since 国土资规〔2017〕13号 (domain.md §7, inferred from
# national practice). From 2025-01-01, 自然资发〔2024〕204号 ends the per-batch 落实占补平衡 method in favour of the
# province's yearly balance (省域耕地总量动态平衡, 年度算大账). Which indicators a batch still deducts is not
# published for 山东 (domain-land.md §G.2): TO CONFIRM — the default keeps 耕地数量 and 粮食产能 (quantity and
# capacity, which the new regime balances) and drops the separate 水田规模 deduction.
OFFSET_PERIODS_DEFAULT = (
    OffsetPeriod(None, dt.date(2024, 12, 31), (Kind.OFFSET_AREA, Kind.OFFSET_PADDY, Kind.OFFSET_CAPACITY),
                 confirmed=False, basis=_("国土资规〔2017〕13号以来的全国做法（推断）")),
    OffsetPeriod(dt.date(2025, 1, 1), None, (Kind.OFFSET_AREA, Kind.OFFSET_CAPACITY),
                 confirmed=False, basis=_("自然资发〔2024〕204号：省域耕地总量动态平衡、年度算大账（省级细则待确认）")),
)

DEFAULTS: dict[str, Any] = {
    # A ledger runs low when its available balance falls below this share of what it received (下达 + 调入).
    "QUOTAS_LOW_SHARE": 0.10,
    # A 增减挂钩 周转 allocation is flagged this many days before its return deadline (and after it, until returned).
    "QUOTAS_RETURN_WARNING_DAYS": 90,
    # 周转指标归还期限一般不超过3年 (domain.md §7, C2): the default return deadline of a 周转 allocation.
    "QUOTAS_TURNOVER_RETURN_YEARS": 3,
    # 上报比例 / 批复比例: no official definition (domain-land.md §A.4 cites "均为100%" without a formula). TO CONFIRM.
    "QUOTAS_REPORTED_BASIS": ReportedBasis.OPEN_AND_SETTLED,
    "QUOTAS_APPROVED_BASIS": ApprovedBasis.OF_REPORTED,
    # The kinds the report's ratios count: the 新增建设用地 ledgers.
    "QUOTAS_REPORT_KINDS": (Kind.PLAN,),
    "QUOTAS_OFFSET_PERIODS": OFFSET_PERIODS_DEFAULT,
}


def get(name: str) -> Any:
    return getattr(settings, name, DEFAULTS[name])


def offset_period(on: dt.date) -> OffsetPeriod | None:
    """The configured 占补平衡 period holding `on` (its kinds, its basis — the 文号 — and whether it is confirmed)."""
    return next((period for period in get("QUOTAS_OFFSET_PERIODS") if period.covers(on)), None)


def offset_kinds(on: dt.date) -> tuple[str, ...]:
    """The 占补平衡 indicator kinds an approval batch dated `on` must deduct (the approvals app asks this)."""
    period = offset_period(on)
    return tuple(period.kinds) if period else ()
