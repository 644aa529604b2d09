"""The allowed status changes of a citizen matter, keyed by action (as approvals/workflow.py): services consult this
table and nothing else."""

from __future__ import annotations

from landguard.citizens.models import Matter

S = Matter.Status


class MatterAction:
    NOTIFY = "notify"  # 一次性告知: materials missing, all of them named at once
    ACCEPT = "accept"  # 受理: every required material present (brought or fetched)
    COMPLETE = "complete"  # 办结 (登簿)
    REFUSE = "refuse"  # 不予办理 (不予登记), with the reason
    WITHDRAW = "withdraw"  # 撤回 by the applicant
    SIGN = "sign"  # 12345: 签收
    ANSWER = "answer"  # 12345: 答复 (then 回访)
    SATISFIED = "satisfied"  # 12345: 回访满意 / 基本满意 → 办结
    REDO = "redo"  # 12345: 回访不满意 → 再办
    RETURN = "return"  # 12345: 退回 (on request, never a designated unit)
    REOPEN = "reopen"  # 信访: 复查 or 复核 requested after an answer
    FINALIZE = "finalize"  # 信访: 终结 (no 复查 in time, or 复核 decided)


MATTER_TRANSITIONS: dict[str, dict[str, str]] = {
    MatterAction.NOTIFY: {S.RECEIVED: S.NOTIFIED, S.NOTIFIED: S.NOTIFIED},
    MatterAction.ACCEPT: {S.RECEIVED: S.ACCEPTED, S.NOTIFIED: S.ACCEPTED},
    MatterAction.COMPLETE: {S.ACCEPTED: S.DONE},
    MatterAction.REFUSE: {S.RECEIVED: S.REFUSED, S.NOTIFIED: S.REFUSED, S.ACCEPTED: S.REFUSED},
    MatterAction.WITHDRAW: {S.RECEIVED: S.WITHDRAWN, S.NOTIFIED: S.WITHDRAWN, S.ACCEPTED: S.WITHDRAWN},
    MatterAction.SIGN: {S.RECEIVED: S.ACCEPTED},
    MatterAction.ANSWER: {S.ACCEPTED: S.ANSWERED},
    MatterAction.SATISFIED: {S.ANSWERED: S.DONE},
    MatterAction.REDO: {S.ANSWERED: S.ACCEPTED},
    MatterAction.RETURN: {S.RECEIVED: S.RETURNED},
    MatterAction.REOPEN: {S.ANSWERED: S.ACCEPTED},
    MatterAction.FINALIZE: {S.ANSWERED: S.DONE},
}


def matter_target(action: str, current: str) -> str | None:
    return MATTER_TRANSITIONS[action].get(current)
