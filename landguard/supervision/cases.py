"""Enforcement cases (违法用地查处), the audited write path: 立案 from a clue, then one `advance` per step along
workflow.CASE_TRANSITIONS, each appending a CaseEvent and an audit entry. The steps' own rules:

- 审理 → 告知/听证 needs the 法制审核 opinion (部令第12号 第32条); entering 告知 serves the notice.
- 告知/听证 → 决定 only after the 5-day window for 陈述申辩 / requesting a hearing (第33、34条) has run.
- 决定 records what was decided: buildings confiscated and demolished (m²), the fine.
- 送达 records when the decision was served; 执行 only follows it.
- 结案 records 复耕 area and disciplinary referrals; from 审理 it needs the 不予处罚 reason.

The time limits (their units and roll-over rules) are one table: landguard.supervision.case_deadlines.
The 90-day clock (行政处罚法 第60条) runs from 立案 to 决定: `due_at`. Excluded periods (鉴定, 听证, 公告, 邮递 —
domain.md §8) are paused and resumed with a reason; each finished one moves `due_at` by its length, and while
one runs the deadline in force moves with the clock, so a case paused in time is not overdue while paused.
A case cannot take a step while paused: the excluded period ends first. Statistics count a case decided
after its deadline as late.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from landguard.audit import notes
from landguard.audit import services as audit
from landguard.audit.notes import Note
from landguard.core import clock
from landguard.core.scope import scope_for
from landguard.supervision import case_deadlines, verification, workflow
from landguard.supervision.models import Case, CaseEvent, CasePause, Clue


def _event(case: Case, actor, before: str, note: str | Promise | Note = "",
           action: str = CaseEvent.Action.TRANSITION) -> None:
    sentence, msgid, params = notes.stored(note)
    CaseEvent.objects.create(case=case, at=clock.now(), actor=actor if getattr(actor, "pk", None) else None,
                             actor_name=(str(actor) if getattr(actor, "pk", None) else "系统")[:80], action=action,
                             from_status=before, to_status=case.status, note=sentence, note_msgid=msgid,
                             note_params=params)


def _require(actor, code: str) -> None:
    if not scope_for(actor).contains(code) or not verification.can_triage(actor):
        raise PermissionDenied(_("您不能办理该案件。"))


require_case_worker = _require


@transaction.atomic
def open_case(*, actor, clue: Clue, number: str, party: str, illegal_area_m2: float = 0.0,
              farmland_m2: float | None = None,
              note: str = "") -> Case:
    """立案 from a clue judged valid (the clock starts now)."""
    clue = Clue.objects.select_for_update().get(pk=clue.pk)
    _require(actor, clue.region_code)
    if clue.status not in (Clue.Status.VALID, Clue.Status.CLOSED):
        raise ValidationError(_("只有研判为有效的线索才能立案"))
    if not number.strip() or not party.strip():
        raise ValidationError({"number": _("请填写立案号和当事人")})
    now = clock.now()
    try:
        with transaction.atomic():
            case = Case.objects.create(
                clue=clue, number=number.strip(), party=party.strip(), region_code=clue.region_code,
                township_code=clue.township_code, filed_at=now,
                due_at=case_deadlines.decision_due(now),
                illegal_area_m2=illegal_area_m2,
                farmland_m2=farmland_m2,  # not the clue's analysis disc: measured from a sketch, else 未测定
                created_by=actor, is_synthetic=clue.is_synthetic)
    except IntegrityError:
        raise ValidationError({"number": _("立案号已存在，或该线索已立案")}) from None
    _event(case, actor, "", note)
    audit.record_create(actor=actor, target=case, region_code=case.region_code, note=note)
    return case


def _number(values: dict, name: str, *, decimal: bool = False):
    raw = values.get(name)
    if raw in (None, ""):
        return Decimal(0) if decimal else 0.0
    try:
        number = Decimal(str(raw)) if decimal else float(raw)
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({name: _("请填写数字")}) from None
    if number < 0:
        raise ValidationError({name: _("不能为负数")})
    return number


@transaction.atomic
def advance(*, actor, case: Case, to: str, note: str = "", **values) -> Case:
    case = Case.objects.select_for_update().get(pk=case.pk)
    _require(actor, case.region_code)
    workflow.check(workflow.CASE_TRANSITIONS, Case.Status, case.status, to)
    if case.paused_at is not None:
        raise ValidationError(_("办案期限计时已中止，请先恢复计时再办理"), code="paused")
    snapshot = audit.snapshot(case)
    now = clock.now()
    if to == Case.Status.NOTICE:
        opinion = str(values.get("review_opinion") or case.review_opinion).strip()
        if not opinion:
            raise ValidationError({"review_opinion": _("请填写法制审核意见")})
        case.review_opinion, case.notice_served_at = opinion[:300], now
    elif to == Case.Status.DECIDED:
        window_end = case_deadlines.window_end(case.notice_served_at)  # type: ignore[arg-type]  # set at 告知
        if now < window_end:
            last_day = timezone.localtime(window_end).date() - dt.timedelta(days=1)
            raise ValidationError(
                _("陈述申辩、听证申请期限（送达后 %(days)s 个工作日）至 %(end)s 届满，届满后方可作出决定")
                                  % {"days": case_deadlines.rules()[case_deadlines.STATEMENT].days,
                                     "end": last_day.strftime("%Y-%m-%d")})
        case.hearing_requested = bool(values.get("hearing_requested", case.hearing_requested))
        case.confiscated_m2 = _number(values, "confiscated_m2")
        case.demolished_m2 = _number(values, "demolished_m2")
        case.fine_yuan = _number(values, "fine_yuan", decimal=True)
        case.confiscated_income_yuan = _number(values, "confiscated_income_yuan", decimal=True)
        case.decided_at = now
    elif to == Case.Status.SERVED:
        case.served_at = now
    elif to == Case.Status.CLOSED:
        if case.status == Case.Status.REVIEW and not note.strip():
            raise ValidationError({"note": _("审理后不予处罚结案须说明理由")})
        case.restored_m2 = _number(values, "restored_m2")
        case.referrals = int(_number(values, "referrals"))
        case.referrals_done = int(_number(values, "referrals_done"))
        if case.referrals_done > case.referrals:
            raise ValidationError({"referrals_done": _("已落实人数不能多于移送人数")})
        case.referral_note = str(values.get("referral_note") or "")[:300]
        case.closed_at = now
    before, case.status = case.status, to
    case.save()
    _event(case, actor, before, note)
    audit.record_update(actor=actor, target=case, before=snapshot, region_code=case.region_code, note=note)
    return case


# --- the 90-day clock: excluded periods ---------------------------------------------------------------------------


@transaction.atomic
def pause(*, actor, case: Case, kind: str, reason: str) -> CasePause:
    """Stop the clock for an excluded period (鉴定, 听证, 公告, 邮递) — only while it runs towards the decision."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    _require(actor, case.region_code)
    if kind not in CasePause.Kind.values:
        raise ValidationError({"kind": _("请选择不计入办案期限的期间")})
    if not reason.strip():
        raise ValidationError({"reason": _("请填写中止计时的理由")})
    if case.decided_at is not None or case.status == Case.Status.CLOSED:
        raise ValidationError(_("已作出决定或已结案的案件不再计算办案期限"))
    if case.paused_at is not None:
        raise ValidationError(_("办案期限计时已中止"))
    snapshot = audit.snapshot(case, ["paused_at"])
    case.paused_at = clock.now()
    case.save(update_fields=["paused_at"])
    period = CasePause.objects.create(case=case, kind=kind, reason=reason.strip()[:300], started_at=case.paused_at,
                                      started_by=actor)
    note = Note(gettext_lazy("%(kind)s：%(reason)s"),
                {"kind": CasePause.Kind(period.kind).label, "reason": period.reason})
    _event(case, actor, case.status, note, action=CaseEvent.Action.PAUSE)
    audit.record_update(actor=actor, target=case, before=snapshot, region_code=case.region_code, note=note)
    return period


@transaction.atomic
def resume(*, actor, case: Case, note: str = "") -> CasePause:
    """Restart the clock: the deadline moves by the length of the excluded period just ended (counted again from
    立案 with every excluded period, so a deadline that now ends on a rest day rolls over under its rule)."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    _require(actor, case.region_code)
    if case.paused_at is None:
        raise ValidationError(_("办案期限计时未中止"))
    period = CasePause.objects.select_for_update().get(case=case, ended_at__isnull=True)
    snapshot = audit.snapshot(case, ["paused_at", "due_at"])
    now = clock.now()
    ended = sum(((p.ended_at - p.started_at) for p in case.pauses.exclude(pk=period.pk) if p.ended_at is not None),
                dt.timedelta(0))
    case.due_at = case_deadlines.decision_due(case.filed_at, ended + (now - case.paused_at))
    case.paused_at = None
    case.save(update_fields=["paused_at", "due_at"])
    period.ended_at, period.ended_by, period.end_note = now, actor, note.strip()[:300]
    period.save(update_fields=["ended_at", "ended_by", "end_note"])
    words = {"kind": CasePause.Kind(period.kind).label, "days": (now - period.started_at) / dt.timedelta(days=1),
             "note": period.end_note}
    text = Note(gettext_lazy("%(kind)s结束，期限顺延 %(days).1f 日：%(note)s") if period.end_note
                else gettext_lazy("%(kind)s结束，期限顺延 %(days).1f 日"), words)
    _event(case, actor, case.status, text, action=CaseEvent.Action.RESUME)
    audit.record_update(actor=actor, target=case, before=snapshot, region_code=case.region_code, note=text)
    return period


@dataclass(frozen=True)
class CaseClock:
    """Where the 90-day clock stands at `now`: days counted so far (excluded periods left out), whole days left
    to the deadline in force, and whether the decision came — or is still missing — after it."""

    due_at: dt.datetime
    used_days: int
    left_days: int
    paused_days: float
    paused_since: dt.datetime | None
    stopped: bool  # decided or closed: the clock no longer runs
    overdue: bool


def clock_of(case: Case, now: dt.datetime | None = None) -> CaseClock:
    now = now or clock.now()
    end = case.decided_at or case.closed_at or now
    running = (now - case.paused_at) if case.paused_at is not None else dt.timedelta(0)
    excluded = sum(((p.ended_at - p.started_at) for p in case.pauses.all() if p.ended_at is not None),
                   dt.timedelta(0)) + running
    due = case.due_at + running
    day = dt.timedelta(days=1)
    return CaseClock(due_at=due, used_days=max(0, int((end - case.filed_at - excluded) / day)),
                     left_days=(due - now) // day, paused_days=round(excluded / day, 1), paused_since=case.paused_at,
                     stopped=case.decided_at is not None or case.closed_at is not None, overdue=end > due)
