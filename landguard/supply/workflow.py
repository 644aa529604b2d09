"""The allowed status changes of a supply record and of a 两清 item, keyed by action (as approvals' dossier table
is): services consult these tables and nothing else, so a new transition is added here or not at all."""

from __future__ import annotations

from landguard.supply.models import SupplyRecord, TwoClearItem

S = SupplyRecord.Status


class SupplyAction:
    DELIVER = "deliver"  # 交地: the actual hand-over date recorded
    START = "start"  # 开工: the actual start date recorded (a start before the hand-over is recorded as both)
    COMPLETE = "complete"  # 竣工
    RECOVER = "recover"  # 收回: the land taken back (无偿 or 有偿), the parcel no longer counts as supplied


SUPPLY_TRANSITIONS: dict[str, dict[str, str]] = {
    SupplyAction.DELIVER: {S.SUPPLIED: S.DELIVERED},
    SupplyAction.START: {S.SUPPLIED: S.STARTED, S.DELIVERED: S.STARTED},
    SupplyAction.COMPLETE: {S.STARTED: S.COMPLETED},
    SupplyAction.RECOVER: {S.SUPPLIED: S.RECOVERED, S.DELIVERED: S.RECOVERED, S.STARTED: S.RECOVERED},
}


def supply_target(action: str, current: str) -> str | None:
    return SUPPLY_TRANSITIONS[action].get(current)


I = TwoClearItem.Status


class ItemAction:
    NOTICE = "notice"  # 调查通知书 served: the owner's statement is due
    STATEMENT = "statement"  # 陈述: the owner's statement received
    DETERMINE = "determine"  # 认定书: the idle land (or the fault) determined; also when the statement period lapsed
    DECIDE = "decide"  # 决定书: the disposal decided
    CLOSE = "close"  # 办结: disposed, paid, or found not to be a case


ITEM_TRANSITIONS: dict[str, dict[str, str]] = {
    ItemAction.NOTICE: {I.OPEN: I.NOTICED},
    ItemAction.STATEMENT: {I.NOTICED: I.STATED},
    ItemAction.DETERMINE: {I.NOTICED: I.DETERMINED, I.STATED: I.DETERMINED},
    ItemAction.DECIDE: {I.DETERMINED: I.DECIDED},
    ItemAction.CLOSE: {I.OPEN: I.CLOSED, I.NOTICED: I.CLOSED, I.STATED: I.CLOSED, I.DETERMINED: I.CLOSED,
                       I.DECIDED: I.CLOSED},
}

# The deadline each stage carries (tunables, 53号令 figures flagged 待确认).
STAGE_DEADLINE: dict[str, str] = {I.NOTICED: "SUPPLY_STATEMENT_DAYS", I.STATED: "SUPPLY_DETERMINATION_DAYS",
                  I.DETERMINED: "SUPPLY_DECISION_DAYS"}


def item_target(action: str, current: str) -> str | None:
    return ITEM_TRANSITIONS[action].get(current)
