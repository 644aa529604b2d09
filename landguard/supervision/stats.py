"""Supervision statistics, each with the definition shown beside it on the pages (domain.md §8 — the
definitions are the product's; confirm them against the province's 执法统计报表)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, Max, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from landguard.core import clock
from landguard.core.scope import RegionScope
from landguard.people.models import FieldChief, OrgUnit
from landguard.people import selectors as people_selectors
from landguard.supervision import selectors, tunables
from landguard.supervision.models import Case, Clue, Judgement, Patch, Recipient, SourceKind, Task

DEFINITIONS = {
    "alerts": _("告警接收：收到的告警、举报、巡田发现和卫片图斑条数（同一事件重复推送只计一次）"),
    "pushed": _("推送核查：研判为有效并派发核查任务的线索数（每条同时推送执法中队、乡镇所、乡镇政府和田长）"),
    "illegal": _("核实违法：现场核查结论为“违法”的任务数，加上判定为“违法”的卫片图斑数"),
    "filed": _("立案数：立案查处的案件数"),
    "closed": _("结案数：已结案的案件数"),
    "compliance": _("时限达标率 = 按时完成 ÷（按时完成 + 超时）。每个“三个一”环节只计入一类：按时完成（在时限内完成）、"
                    "超时（超时完成、已超时或已过时限未完成）、进行中（未完成且未到时限），三类之和为环节合计；"
                    "无需办理的环节不计；已升级是超时中的一部分"),
    "unit_compliance": _(
        "分接收单位：每个核查任务同时推送四方，其“三个一”环节计入每个接收单位（执法中队、乡镇所、乡镇政府、田长）"),
    "filing_rate": _("立案率 = 立案数 ÷ 核实违法数"),
    "closing_rate": _("结案率 = 结案数 ÷ 立案数"),
    "handling_rate": _("查处率 = （立案数 + 未立案但已恢复原状的违法任务数）÷ 核实违法数"),
    "rectification_rate": _("整改率（卫片）= 已整改的违法图斑面积 ÷ 违法图斑面积"),
    "late_cases": _("超期案件：立案后 90 日（鉴定、听证、公告、邮递期间不计入）内未作出处理决定的案件"),
    "new_illegal": _("新增违法占用耕地：当年违法卫片图斑占用耕地面积（扣除田坎），加上当年核实违法并已立案、"
                     "现场勾绘了占地范围的案件中的耕地面积（未勾绘的为未测定，不计入），与上年同口径比较"),
}


def _rate(numerator: float, denominator: float) -> float | None:
    return round(100 * numerator / denominator, 1) if denominator else None


def _year_range(year: int) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime(year, 1, 1))
    return start, timezone.make_aware(dt.datetime(year + 1, 1, 1))


def new_illegal_m2(scope: RegionScope, year: int) -> float:
    start, end = _year_range(year)
    tasks = _measured(selectors.tasks(scope).filter(outcome=Task.Outcome.ILLEGAL, verified_at__gte=start,
                                                    verified_at__lt=end))
    patches = selectors.patches(scope).filter(judgement=Judgement.ILLEGAL, year=year)
    return float((tasks.aggregate(s=Sum("clue__case__farmland_m2"))["s"] or 0.0)
                 + (patches.aggregate(s=Sum("farmland_m2"))["s"] or 0.0))


def _measured(tasks):
    """Violations whose 耕地 was measured: filed as a case with the occupied area sketched on site (a clue's
    analysis disc is no measure of what was occupied)."""
    return tasks.filter(clue__case__occupied__isnull=False, clue__case__farmland_m2__isnull=False)


@dataclass
class Compliance:
    """三个一 steps in three parts that add up to `total`: on time (met by its due time), late (met after it, or
    breached, or past due and not met) and running (not met and not yet due); `decided` = on time + late, the
    rate's denominator. `escalated` is a subset of the late, not a fourth part."""

    code: str
    name: str
    decided: int = 0
    on_time: int = 0
    running: int = 0
    breached: int = 0
    escalated: int = 0

    @property
    def total(self) -> int:
        return self.on_time + self.breached + self.running

    @property
    def rate(self) -> float | None:
        return _rate(self.on_time, self.decided)


def _parts(prefix: str = "") -> dict[str, Q]:
    """The mutually exclusive parts of the non-waived deadlines, fields under `prefix` ("task__deadlines__")."""
    met, due, breached = f"{prefix}met_at", f"{prefix}due_at", f"{prefix}breached_at"
    now = clock.now()
    on_time = Q(**{f"{met}__isnull": False, f"{met}__lte": F(due)})
    late = (Q(**{f"{met}__isnull": False, f"{met}__gt": F(due)})
            | Q(**{f"{met}__isnull": True}) & (Q(**{f"{breached}__isnull": False}) | Q(**{f"{due}__lt": now})))
    running = Q(**{f"{met}__isnull": True, f"{breached}__isnull": True, f"{due}__gte": now})
    return {"on_time": on_time, "late": late, "running": running}


def compliance(scope: RegionScope, *, since: dt.datetime | None = None) -> tuple[list[Compliance], Compliance]:
    """三个一 compliance per township (the unit answering for it: its 自然资源所) and in total."""
    qs = selectors.deadlines(scope).filter(waived=False)
    if since is not None:
        qs = qs.filter(task__dispatched_at__gte=since)
    rows = {code: Compliance(code, name) for code, name in selectors.townships(scope).items()}
    parts = _parts()
    figures = qs.values("township_code").annotate(
        on_time=Count("id", filter=parts["on_time"]), late=Count("id", filter=parts["late"]),
        running=Count("id", filter=parts["running"]),
        escalated=Count("id", filter=Q(escalation_level__gt=0)))
    for f in figures:
        row = rows.setdefault(f["township_code"], Compliance(f["township_code"], f["township_code"]))
        row.on_time, row.breached, row.running, row.escalated = f["on_time"], f["late"], f["running"], f["escalated"]
        row.decided = row.on_time + row.breached
    total = Compliance("", str(_("合计")))
    for row in rows.values():
        total.decided += row.decided
        total.on_time += row.on_time
        total.running += row.running
        total.breached += row.breached
        total.escalated += row.escalated
    return list(rows.values()), total


@dataclass
class UnitCompliance(Compliance):
    kind: str = ""
    kind_label: str = ""


def unit_compliance(scope: RegionScope, *, since: dt.datetime | None = None) -> list[UnitCompliance]:
    """三个一 compliance per recipient — each 执法中队, 乡镇所, 乡镇政府 and field chief answers for the deadlines of
    every task pushed to it (a task's steps count once for each of its four recipients). Ordered by kind, then
    the weakest first."""
    qs = selectors.recipients(scope)
    if since is not None:
        qs = qs.filter(task__dispatched_at__gte=since)
    live = Q(task__deadlines__waived=False)
    parts = _parts("task__deadlines__")
    figures = qs.values("kind", "org_unit", "field_chief").annotate(
        label=Max("label"),
        on_time=Count("task__deadlines", filter=live & parts["on_time"]),
        late=Count("task__deadlines", filter=live & parts["late"]),
        running=Count("task__deadlines", filter=live & parts["running"]),
        escalated=Count("task__deadlines", filter=live & Q(task__deadlines__escalation_level__gt=0)))
    kinds = dict(Recipient.Kind.choices)
    rows = [UnitCompliance(str(f["org_unit"] or f["field_chief"]), f["label"], f["on_time"] + f["late"], f["on_time"],
                           f["running"], f["late"], f["escalated"], kind=f["kind"],
                           kind_label=str(kinds.get(f["kind"], f["kind"])))
            for f in figures]
    order = list(kinds)
    rows.sort(key=lambda r: (order.index(r.kind) if r.kind in order else len(order), -1 if r.rate is None else r.rate,
                             r.name))
    return rows


def kind_compliance(units: list[UnitCompliance]) -> list[UnitCompliance]:
    """The per-unit figures summed per recipient kind (the four rows of the dashboard)."""
    totals: dict[str, UnitCompliance] = {}
    for u in units:
        t = totals.setdefault(u.kind, UnitCompliance(u.kind, u.kind_label, kind=u.kind, kind_label=u.kind_label))
        t.decided, t.on_time, t.running = t.decided + u.decided, t.on_time + u.on_time, t.running + u.running
        t.breached, t.escalated = t.breached + u.breached, t.escalated + u.escalated
    return list(totals.values())


@dataclass
class CaseStats:
    illegal: int = 0
    filed: int = 0
    closed: int = 0
    handled: int = 0
    late: int = 0
    confiscated_m2: float = 0.0
    demolished_m2: float = 0.0
    fine_yuan: float = 0.0
    confiscated_income_yuan: float = 0.0
    restored_m2: float = 0.0
    referrals: int = 0
    referrals_done: int = 0
    restored_without_case: int = 0
    illegal_patch_m2: float = 0.0
    rectified_patch_m2: float = 0.0
    rates: dict[str, float | None] = field(default_factory=dict)

    @property
    def forfeit_yuan(self) -> float:
        """罚没款: fines plus confiscated illegal gains (没收违法所得)."""
        return self.fine_yuan + self.confiscated_income_yuan


def case_stats(scope: RegionScope, *, year: int | None = None) -> CaseStats:
    cases = selectors.cases(scope)
    tasks = selectors.tasks(scope).filter(outcome=Task.Outcome.ILLEGAL)
    patches = selectors.patches(scope).filter(judgement=Judgement.ILLEGAL)
    if year is not None:
        start, end = _year_range(year)
        cases, tasks, patches = cases.filter(filed_at__gte=start,
            filed_at__lt=end), tasks.filter(verified_at__gte=start, verified_at__lt=end), patches.filter(year=year)
    s = CaseStats()
    s.illegal = tasks.count() + patches.count()
    s.filed = cases.count()
    s.closed = cases.filter(status=Case.Status.CLOSED).count()
    s.restored_without_case = tasks.filter(restored_at__isnull=False).exclude(clue__case__isnull=False).count()
    s.handled = s.filed + s.restored_without_case
    now = clock.now()
    # While paused the deadline moves with the clock: a paused case is late only if it was already when paused.
    undecided = Q(decided_at__isnull=True,
                  closed_at__isnull=True) & (Q(paused_at__isnull=True, due_at__lt=now) | Q(paused_at__gt=F("due_at")))
    s.late = cases.filter(undecided | Q(decided_at__gt=F("due_at"))
                          | Q(decided_at__isnull=True, closed_at__gt=F("due_at"))).count()
    sums = cases.aggregate(c=Sum("confiscated_m2"), d=Sum("demolished_m2"), f=Sum("fine_yuan"), r=Sum("restored_m2"),
                           p=Sum("referrals"), i=Sum("confiscated_income_yuan"), pd=Sum("referrals_done"))
    s.confiscated_m2, s.demolished_m2 = sums["c"] or 0.0, sums["d"] or 0.0
    s.fine_yuan, s.restored_m2, s.referrals = float(sums["f"] or 0), sums["r"] or 0.0, sums["p"] or 0
    s.confiscated_income_yuan, s.referrals_done = float(sums["i"] or 0), sums["pd"] or 0
    s.illegal_patch_m2 = patches.aggregate(a=Sum("area_m2"))["a"] or 0.0
    s.rectified_patch_m2 = patches.filter(rectification=Patch.Rectification.DONE).aggregate(
        a=Sum("area_m2"))["a"] or 0.0
    s.rates = {"filing_rate": _rate(s.filed, s.illegal), "closing_rate": _rate(s.closed, s.filed),
               "handling_rate": _rate(s.handled, s.illegal),
               "rectification_rate": _rate(s.rectified_patch_m2, s.illegal_patch_m2)}
    return s


@dataclass
class TownshipRow:
    code: str
    name: str
    alerts: int = 0
    clues: int = 0
    pushed: int = 0
    illegal: int = 0
    filed: int = 0
    closed: int = 0
    compliance: float | None = None
    new_illegal_m2: float = 0.0


def township_table(scope: RegionScope, *, year: int) -> list[TownshipRow]:
    rows = {code: TownshipRow(code, name) for code, name in selectors.townships(scope).items()}

    def add(qs, attr: str) -> None:
        for code, n in qs.values_list("township_code").annotate(n=Count("id")):
            if code in rows:
                setattr(rows[code], attr, n)

    for code, n in selectors.detections(scope).values_list("clue__township_code").annotate(n=Count("id")):
        if code in rows:
            rows[code].alerts = n
    add(selectors.clues(scope), "clues")
    add(selectors.tasks(scope), "pushed")
    add(selectors.tasks(scope).filter(outcome=Task.Outcome.ILLEGAL), "illegal")
    add(selectors.cases(scope), "filed")
    add(selectors.cases(scope).filter(status=Case.Status.CLOSED), "closed")
    for code, n in selectors.patches(scope).filter(judgement=Judgement.ILLEGAL).values_list("township_code").annotate(
        n=Count("id")):
        if code in rows:
            rows[code].illegal += n
    compliance_rows, _total = compliance(scope)
    for c in compliance_rows:
        if c.code in rows:
            rows[c.code].compliance = c.rate
    start, end = _year_range(year)
    measured = _measured(selectors.tasks(scope).filter(outcome=Task.Outcome.ILLEGAL, verified_at__gte=start,
                                                       verified_at__lt=end))
    for code, area in measured.values_list("township_code").annotate(a=Sum("clue__case__farmland_m2")):
        if code in rows:
            rows[code].new_illegal_m2 += area or 0.0
    for code, area in (selectors.patches(scope).filter(judgement=Judgement.ILLEGAL, year=year)
                       .values_list("township_code").annotate(a=Sum("farmland_m2"))):
        if code in rows:
            rows[code].new_illegal_m2 += area or 0.0
    return list(rows.values())


def dashboard(scope: RegionScope) -> dict:
    today = clock.today()
    year = today.year
    detections = selectors.detections(scope)
    tasks = selectors.tasks(scope)
    cases = selectors.cases(scope)
    _rows, total = compliance(scope)
    this_year, last_year = new_illegal_m2(scope, year), new_illegal_m2(scope, year - 1)
    since = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=29), dt.time()))
    per_day = Counter({d: n for d, n in detections.filter(received_at__gte=since).annotate(day=TruncDate("received_at"))
                       .values_list("day").annotate(n=Count("id")).values_list("day", "n")})
    days = [today - dt.timedelta(days=i) for i in range(29, -1, -1)]
    by_kind = dict(selectors.clues(scope).values_list("kind").annotate(n=Count("id")))
    return {
        "cards": {
            "alerts": detections.count(),
            "camera_alerts": detections.filter(kind=SourceKind.CAMERA).count(),
            "clues": selectors.clues(scope).count(),
            "pending": selectors.clues(scope).filter(status=Clue.Status.NEW).count(),
            "prejudged": selectors.clues(scope).filter(status=Clue.Status.PREJUDGED).count(),
            "pushed": tasks.count(),
            "illegal": tasks.filter(outcome=Task.Outcome.ILLEGAL).count()
                + selectors.patches(scope).filter(judgement=Judgement.ILLEGAL).count(),
            "filed": cases.count(),
            "closed": cases.filter(status=Case.Status.CLOSED).count(),
            "tasks_closed": tasks.filter(status=Task.Status.CLOSED).count(),
            "compliance": total.rate,
            "compliance_decided": total.decided,
            "escalated": total.escalated,
            "new_illegal_m2": this_year,
            "last_year_m2": last_year,
            "change": None if not last_year else round(100 * (this_year - last_year) / last_year, 1),
        },
        "year": year,
        "charts": {
            "per_day": [{"day": d.isoformat(), "value": per_day.get(d, 0)} for d in days],
            "by_kind": [{"name": str(SourceKind(k).label), "value": n} for k, n in by_kind.items()],
        },
    }


# --- patrols ------------------------------------------------------------------------------------------------


@dataclass
class PatrolRow:
    label: str
    region: str
    count: int
    required: int
    weeks: int | None = None  # village chiefs: weeks of the month with a patrol

    @property
    def ok(self) -> bool:
        return (self.weeks if self.weeks is not None else self.count) >= self.required


def month_weeks(year: int, month: int, until: dt.date) -> list[tuple[int, int]]:
    """The ISO weeks (year, week) of the month's days up to `until` — a week counts once it has begun."""
    day, weeks = dt.date(year, month, 1), []
    while day.month == month and day <= until:
        week = day.isocalendar()[:2]
        if week not in weeks:
            weeks.append(week)
        day += dt.timedelta(days=1)
    return weeks


def patrol_compliance(scope: RegionScope, *, year: int, month: int) -> tuple[list[PatrolRow], list[PatrolRow]]:
    """Monthly patrols per township office (≥ SUPERVISION_OFFICE_PATROLS_PER_MONTH) and, per village chief,
    the weeks with a patrol against the weeks of the month so far (≥ SUPERVISION_VILLAGE_PATROLS_PER_WEEK each)."""
    start = timezone.make_aware(dt.datetime(year, month, 1))
    end = timezone.make_aware(dt.datetime(year + (month == 12), month % 12 + 1, 1))
    patrols = selectors.patrols(scope).filter(started_at__gte=start, started_at__lt=end)
    per_unit = dict(patrols.filter(org_unit__isnull=False).values_list("org_unit").annotate(n=Count("id")))
    offices = people_selectors.org_units(scope).filter(kind=OrgUnit.Kind.TOWNSHIP_OFFICE).order_by("region__code")
    required = int(tunables.get("SUPERVISION_OFFICE_PATROLS_PER_MONTH"))
    office_rows = [PatrolRow(o.name, o.region.name, per_unit.get(o.pk, 0), required) for o in offices]

    weeks_needed = month_weeks(year, month, min(clock.today(), (end - dt.timedelta(days=1)).date()))
    per_week = int(tunables.get("SUPERVISION_VILLAGE_PATROLS_PER_WEEK"))
    counts: dict[int, Counter] = defaultdict(Counter)
    for chief_id, started in patrols.filter(field_chief__level=FieldChief.Level.VILLAGE).values_list("field_chief",
        "started_at"):
        counts[chief_id][timezone.localtime(started).date().isocalendar()[:2]] += 1
    chief_rows = []
    for chief in people_selectors.field_chiefs(scope).filter(level=FieldChief.Level.VILLAGE).order_by("region__code"):
        weeks = counts.get(chief.pk, Counter())
        chief_rows.append(PatrolRow(str(chief.user), chief.region.name, sum(weeks.values()), len(weeks_needed),
                                    weeks=sum(1 for w in weeks_needed if weeks.get(w, 0) >= per_week)))
    return office_rows, chief_rows
