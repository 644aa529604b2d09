"""Figures as the bureaus' reports state them: any period's alarm → 所长 → closed counts (冠县: "since end of August
2021: 332 alarms, 40 pushed to the office head, 16 closed"), and the enforcement rates under the definition a
bureau publishes with (临海: 29 cases filed, 立案率 100 %, 查处率 96.67 %). Every definition is printed beside its
figure; those domain.md marks I (no public source) are marked 待确认.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.gis.geos import GEOSGeometry
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from landguard.core import clock
from landguard.core.scope import RegionScope
from landguard.regions.models import Level, Region
from landguard.supervision import selectors, tunables
from landguard.engine import landclass
from landguard.supervision.models import Clue, Judgement, Task
from landguard.supervision.stats import CaseStats

# --- a period's figures -------------------------------------------------------------------------------------------

PERIOD_DEFINITIONS = {
    "alarms": _("告警：期间内接收的告警、举报、巡田发现和卫片图斑条数（每次推送一条）"),
    "prejudged": _("报所长：期间内经业务人员初判为疑似违法、推送所长决定的线索数"),
    "dispatched": _("派发核查：期间内决定为有效并派发核查任务的线索数"),
    "false_alarms": _("误报：期间内研判为误报的线索数"),
    "closed": _("销号：期间内审核销号的线索数"),
}


@dataclass
class Period:
    start: dt.date
    end: dt.date  # inclusive
    alarms: int = 0
    prejudged: int = 0
    dispatched: int = 0
    false_alarms: int = 0
    closed: int = 0


def period_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The local (Beijing) days start … end inclusive as aware datetimes [from, to)."""
    return (timezone.make_aware(dt.datetime.combine(start, dt.time())),
            timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time())))


def period(scope: RegionScope, start: dt.date, end: dt.date) -> Period:
    """The counts of one period, read from the alarms as received and the clues' status history (a clue counts
    once per stage, whenever in the period it reached it), so any from–to is one query per figure."""
    lo, hi = period_bounds(start, end)
    p = Period(start, end)
    p.alarms = selectors.detections(scope).filter(received_at__gte=lo, received_at__lt=hi).count()
    events = selectors.clue_events(scope).filter(at__gte=lo, at__lt=hi)
    for attr, status in (("prejudged", Clue.Status.PREJUDGED), ("dispatched", Clue.Status.VALID),
                         ("false_alarms", Clue.Status.FALSE_ALARM), ("closed", Clue.Status.CLOSED)):
        setattr(p, attr, events.filter(to_status=status).values("clue").distinct().count())
    return p


def period_param(values, *, default_start: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """`from` and `to` (YYYY-MM-DD) from a query dict; by default 1 January of this year to today. A reversed
    period is swapped."""
    today = clock.today()

    def parse(name: str, fallback: dt.date) -> dt.date:
        try:
            return dt.date.fromisoformat(str(values.get(name) or ""))
        except ValueError:
            return fallback

    start = parse("from", default_start or dt.date(today.year, 1, 1))
    end = parse("to", today)
    return (end, start) if end < start else (start, end)


# --- year on year: 农用地 and 耕地 ----------------------------------------------------------------------------------

YEAR_ON_YEAR_DEFINITIONS = {
    "agricultural": _("新增违法占用农用地：当年判定为违法的卫片图斑中原地类（DLBM，缺失时为三调主要地类）"
                      "属农用地的图斑面积，加上当年核实违法的核查任务中线索点主要地类属农用地的违法占地面积；"
                      "同比 =（本年 − 上年）÷ 上年"),
    "farmland": _("新增违法占用耕地：当年违法卫片图斑占用耕地面积（扣除田坎），"
                  "加上当年核实违法并已立案、现场勾绘了占地范围的案件中的耕地面积；未勾绘的不计入（未测定）；"
                  "同比 =（本年 − 上年）÷ 上年"),
}


@dataclass
class YearFigure:
    this_year: float = 0.0
    last_year: float = 0.0
    unmeasured: int = 0  # violations whose 耕地 is 未测定 (no sketch)

    @property
    def change(self) -> float | None:
        return round(100 * (self.this_year - self.last_year) / self.last_year, 1) if self.last_year else None


def _illegal_areas(scope: RegionScope, year: int) -> tuple[float, float, int]:
    start, end = period_bounds(dt.date(year, 1, 1), dt.date(year, 12, 31))
    agricultural = farmland = 0.0
    unmeasured = 0
    for dlbm, main, area, farm in selectors.patches(scope).filter(judgement=Judgement.ILLEGAL, year=year).values_list(
            "dlbm", "main_code", "area_m2", "farmland_m2"):
        found = landclass.lookup(dlbm or main) if (dlbm or main) else None
        if found is not None and found.big_class == landclass.BigClass.AGRICULTURAL:
            agricultural += area or 0.0
        farmland += farm or 0.0
    for code, occupied_m2, measured_m2, sketched in selectors.tasks(scope).filter(
            outcome=Task.Outcome.ILLEGAL, verified_at__gte=start, verified_at__lt=end).values_list(
            "clue__main_land_code", "illegal_area_m2", "clue__case__farmland_m2", "clue__case__occupied"):
        found = landclass.lookup(code) if code else None
        if found is not None and found.big_class == landclass.BigClass.AGRICULTURAL:
            agricultural += occupied_m2 or 0.0
        if sketched is not None and measured_m2 is not None:
            farmland += measured_m2
        else:
            unmeasured += 1
    return agricultural, farmland, unmeasured


def year_on_year(scope: RegionScope, year: int) -> dict[str, YearFigure]:
    ag, farm, unmeasured = _illegal_areas(scope, year)
    ag0, farm0, _unmeasured = _illegal_areas(scope, year - 1)
    return {"agricultural": YearFigure(ag, ag0), "farmland": YearFigure(farm, farm0, unmeasured)}


# --- camera coverage ---------------------------------------------------------------------------------------------

COVERAGE_DEFINITION = _("监控覆盖：范围内的村（社区）中，至少有一处在用摄像机覆盖圆（按监控半径）"
                        "触及其地界的村数 ÷ 范围内村数；各摄像机另列巡航周期，即同一地块两次被看到的最长间隔")


@dataclass(frozen=True)
class Coverage:
    covered: int
    villages: int
    cameras: int


def coverage(scope: RegionScope) -> Coverage:
    """How many of the villages in scope an active camera's coverage disc reaches."""
    villages = scope.filter(Region.objects.filter(level=Level.VILLAGE, retired_in__isnull=True), "code")
    discs = list(selectors.cameras(scope).filter(is_active=True).values_list("coverage", flat=True))
    covered = 0
    if discs:
        union: GEOSGeometry = discs[0]
        for disc in discs[1:]:
            union = union.union(disc)
        covered = villages.filter(geom__intersects=union).count()
    return Coverage(covered, villages.count(), len(discs))


# --- enforcement rates -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Definition:
    code: str
    label: object  # lazy string
    formula: object
    compute: Callable[[CaseStats], tuple[float, float]]  # (numerator, denominator)
    tentative: bool = True  # domain.md marks the definition I: 待确认 with the province


def _should_file(s: CaseStats) -> float:
    return s.illegal - s.restored_without_case


FILING_RATES = {d.code: d for d in (
    Definition("filed_over_illegal", _("立案数 ÷ 核实违法数"),
               _("立案率 = 立案数 ÷ 核实违法数（核实违法的任务与违法卫片图斑）"),
               lambda s: (s.filed, s.illegal)),
    Definition("filed_over_should_file", _("立案数 ÷ 应立案数"),
               _("立案率 = 立案数 ÷ 应立案违法行为数（核实违法数减去未立案、已依法恢复原状处置的违法行为数）"),
               lambda s: (s.filed, _should_file(s))),
)}

HANDLING_RATES = {d.code: d for d in (
    Definition("handled_over_illegal", _("（立案 + 依法处置）÷ 核实违法数"),
               _("查处率 = （立案数 + 未立案但已恢复原状的违法行为数）÷ 核实违法数"),
               lambda s: (s.handled, s.illegal)),
    Definition("filed_over_illegal", _("立案数 ÷ 发现违法数"),
               _("查处率 = 立案查处数 ÷ 发现的违法行为数（核实违法数）"),
               lambda s: (s.filed, s.illegal)),
    Definition("closed_over_illegal", _("结案数 ÷ 发现违法数"),
               _("查处率 = 查处到位（结案）数 ÷ 发现的违法行为数（核实违法数）"),
               lambda s: (s.closed, s.illegal)),
)}


@dataclass(frozen=True)
class Rate:
    name: object
    definition: Definition
    numerator: float
    denominator: float

    @property
    def percent(self) -> float | None:
        return round(100 * self.numerator / self.denominator, 2) if self.denominator else None


def chosen(values, name: str, table: dict[str, Definition], tunable: str) -> Definition:
    """The definition named in the query (`filing`, `handling`), else the deployment's default."""
    code = str(values.get(name) or tunables.get(tunable))
    return table.get(code) or table[str(tunables.get(tunable))]


def rates(s: CaseStats, *, filing: Definition, handling: Definition) -> dict[str, Rate]:
    return {"filing_rate": Rate(_("立案率"), filing, *filing.compute(s)),
            "handling_rate": Rate(_("查处率"), handling, *handling.compute(s))}
