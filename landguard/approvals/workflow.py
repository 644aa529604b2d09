"""The allowed status changes of a dossier, keyed by action (as projects' step table is): services consult this
table and nothing else, so a new transition is added here or not at all."""

from __future__ import annotations

from landguard.approvals.models import DevelopmentPlan, Dossier

S = Dossier.Status


class DossierAction:
    SUBMIT = "submit"  # 上报: the checks pass, the quota is reserved
    APPROVE = "approve"  # 批复: the reservation is settled, the projects' 组卷报批 step closes
    REFUSE = "refuse"  # 不予批准: the reservation is released
    RETURN = "return"  # 退回补正: back to 组卷中 for correction, the reservation released until it is submitted again
    WITHDRAW = "withdraw"  # 撤回: given up, from 组卷中 or 已上报; a reservation is released


DOSSIER_TRANSITIONS: dict[str, dict[str, str]] = {
    DossierAction.SUBMIT: {S.DRAFT: S.SUBMITTED},
    DossierAction.APPROVE: {S.SUBMITTED: S.APPROVED},
    DossierAction.REFUSE: {S.SUBMITTED: S.REFUSED},
    DossierAction.RETURN: {S.SUBMITTED: S.DRAFT},
    DossierAction.WITHDRAW: {S.DRAFT: S.WITHDRAWN, S.SUBMITTED: S.WITHDRAWN},
}


def dossier_target(action: str, current: str) -> str | None:
    """The status `action` moves a dossier in `current` to, or None when the action is not legal there."""
    return DOSSIER_TRANSITIONS[action].get(current)


P = DevelopmentPlan.Status


class PlanAction:
    SUBMIT = "submit"  # 报批: every hard check of approvals.plans passes
    APPROVE = "approve"  # 批准: the province (or above) approved it, 批复文号 and date kept
    REFUSE = "refuse"  # 不予批准: the reason kept


PLAN_TRANSITIONS: dict[str, dict[str, str]] = {
    PlanAction.SUBMIT: {P.DRAFT: P.SUBMITTED},
    PlanAction.APPROVE: {P.SUBMITTED: P.APPROVED},
    PlanAction.REFUSE: {P.SUBMITTED: P.REFUSED},
}


def plan_target(action: str, current: str) -> str | None:
    """The status `action` moves a development plan in `current` to, or None when it is not legal there."""
    return PLAN_TRANSITIONS[action].get(current)
