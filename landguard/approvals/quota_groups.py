"""Which quota-ledger kinds a dossier draws on, and how the checks add them up. The kinds themselves (and their
units and labels) are the quota app's; this is the approvals' view of them: every source of 新增建设用地 quota
(下达, 奖励, 结转, 增减挂钩) covers new construction land ("plan"), and each 耕地占补 indicator has its own group."""

from __future__ import annotations

from collections.abc import Iterable

from landguard.quotas.models import Kind as QuotaKind

PLAN = "plan"
GROUPS: dict[str, str] = {
    QuotaKind.PLAN: PLAN,
    QuotaKind.LINK_TURNOVER: PLAN,
    QuotaKind.LINK_SURPLUS: PLAN,
    QuotaKind.OFFSET_AREA: "farmland_quantity",
    QuotaKind.OFFSET_PADDY: "farmland_paddy",
    QuotaKind.OFFSET_CAPACITY: "farmland_capacity",
}
DOSSIER_KINDS: tuple[str, ...] = tuple(GROUPS)


def group_of(kind: str) -> str:
    return GROUPS.get(kind, kind)


def kind_choices(kinds: Iterable[str]) -> list[tuple[str, str]]:
    labels = dict(QuotaKind.choices)
    return [(k, str(labels.get(k, k))) for k in kinds]
