"""Figures as the bureaus' reports state them: any period's alarm → 所长 → closed counts (冠县: "since end of August
2021: 332 alarms, 40 pushed to the office head, 16 closed"), and the enforcement rates under the definition a
bureau publishes with (临海: 29 cases filed, 立案率 100 %, 查处率 96.67 %). Every definition is printed beside its
figure; those domain.md marks I (no public source) are marked 待确认.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from landguard.core import clock
from landguard.core.scope import RegionScope
from landguard.supervision import selectors, tunables
from landguard.supervision.models import Clue
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
