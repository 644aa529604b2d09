"""Dispatch (调度): the weekly report with its three lists — 问题清单, 责任清单, 任务清单 — and progress tables,
and the daily digest of what changed, as data for the pages and as docx (python-docx) and xlsx; the monthly
ranking of service groups.

The report is built for a report day (the configured weekday, Thursday by default) and covers the seven
days up to it; "overdue" and "due soon" are judged as of that day. Everything is read through the
selectors with the caller's scope.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import shapely
from django.conf import settings
from django.db.models import Count, F, FloatField, Q, QuerySet, Value
from django.db.models.functions import Cast, Coalesce, NullIf
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from landguard.audit import selectors as audit_selectors
from landguard.audit import rendering as audit_rendering
from landguard.audit.models import AuditEntry
from landguard.core import documents
from landguard.core.exports import COUNT, MAX_WIDTH, MIN_WIDTH, PERCENT, WAN_MU, display_width, print_setup
from landguard.core.scope import RegionScope
from landguard.core.workdays import WorkCalendar
from landguard.projects import selectors
from landguard.projects.models import DeferredItem, Problem, Project, ServiceGroup, Step
from landguard.projects.selectors import Health
from landguard.regions import selectors as region_selectors
from landguard.regions.models import Level
from landguard.shell.figures import FigureLayer, LegendEntry, map_png
from landguard.shell.reports import Table, Week, section_tables

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def report_day_for(day: dt.date) -> dt.date:
    """The latest report weekday on or before `day`."""
    weekday = settings.WEEKLY_REPORT_WEEKDAY - 1  # settings count Monday as 1
    return day - dt.timedelta(days=(day.weekday() - weekday) % 7)


@dataclass
class WeeklyReport:
    report_day: dt.date
    week_start: dt.date
    scope_label: str
    problems: Table
    responsibilities: Table
    tasks: Table
    progress: list[Table] = field(default_factory=list)
    # The tables of the sections other apps register with shell.reports, after the report's own.
    sections: list[Table] = field(default_factory=list)
    # For the Word file's figure: each project's boundary (WKB) with its health on the report day, and the scope's
    # township outlines (WKB, name).
    project_shapes: list[tuple[bytes, str]] = field(default_factory=list)
    townships: list[tuple[bytes, str]] = field(default_factory=list)

    @property
    def lists(self) -> list[Table]:
        return [self.problems, self.responsibilities, self.tasks]

    @property
    def title(self) -> str:
        return _("用地要素保障周报（%(day)s）") % {"day": self.report_day.isoformat()}


def _health_label(health: str) -> str:
    return str(Health.LABELS[health])


def _problems(scope: RegionScope, day: dt.date, week_start: dt.date) -> Table:
    """Problems raised by the report day that were not closed on it, and those closed during the week."""
    rows = (selectors.problems(scope).filter(raised_on__lte=day)
            .filter(~Q(status=Problem.Status.CLOSED) | Q(closed_on__gte=week_start))
            .order_by("deadline", "id"))
    body = [[i, p.project.name if p.project else p.region.name, p.get_category_display(), p.description, p.division,
             p.deadline, _problem_status(p, day), _("是") if not _closed_by(p, day) and p.deadline < day else _("否")]
            for i, p in enumerate(rows, start=1)]
    return Table(_("问题清单"), [_("序号"), _("项目/地区"), _("问题类别"), _("问题描述"), _("责任科室"), _("解决时限"),
                                _("状态"), _("是否超期")], body)


def _closed_by(problem: Problem, day: dt.date) -> bool:
    return problem.status == Problem.Status.CLOSED and (problem.closed_on is None or problem.closed_on <= day)


def _problem_status(problem: Problem, day: dt.date) -> str:
    """The status on the report day: a problem resolved or closed after it was still open then."""
    if problem.status == Problem.Status.CLOSED and not _closed_by(problem, day):
        resolved = problem.resolved_on is not None and problem.resolved_on <= day
        return str(Problem.Status.RESOLVED.label if resolved else Problem.Status.OPEN.label)
    if problem.status == Problem.Status.RESOLVED and problem.resolved_on and problem.resolved_on > day:
        return str(Problem.Status.OPEN.label)
    return problem.get_status_display()


def _responsibilities(scope: RegionScope, day: dt.date) -> Table:
    """Every row of the responsibility lists whose period holds the report day, with its progress."""
    body: list[list[Any]] = []
    for target_list in selectors.target_lists(scope).filter(period_start__lte=day, period_end__gte=day):
        for p in selectors.target_progress(scope, target_list, as_of=day):
            t = p.target
            body.append([len(body) + 1, target_list.name, t.region.name, t.leader, t.division, t.total_cases,
                         float(t.total_wan_mu), p.total_cases, p.total_wan_mu, p.area_rate, p.gap_wan_mu])
    return Table(_("责任清单"), [_("序号"), _("责任清单"), _("地区"), _("责任领导"), _("责任处室"), _("目标件数"),
                                _("目标面积（万亩）"), _("完成件数"), _("完成面积（万亩）"), _("面积完成率（%）"),
                                _("差距（万亩）")], body,
                 (None, None, None, None, None, COUNT, WAN_MU, COUNT, WAN_MU, PERCENT, WAN_MU))


def _tasks(scope: RegionScope, day: dt.date, calendar: WorkCalendar) -> Table:
    """Steps being handled or due within a week after the report day, and open 容缺 items, earliest first."""
    horizon = day + dt.timedelta(days=7)
    # Open on the report day: not closed yet, or closed after it (a report as of a past day).
    open_steps = (selectors.steps(scope).filter(~Q(status__in=Step.CLOSED) | Q(actual_finish__gt=day))
                  .filter(Q(actual_start__lte=day) | Q(status=Step.Status.IN_PROGRESS, actual_start__isnull=True)
                          | Q(due_on__lte=horizon)).order_by("due_on",
                      "project__name", "order"))
    items = (selectors.deferred_items(scope).filter(Q(status=DeferredItem.Status.OPEN) | Q(cleared_on__gt=day),
                                                    promised_on__lte=horizon)
             .order_by("promised_on"))
    entries: list[tuple[dt.date | None, list[Any]]] = []
    for s in open_steps:
        entries.append((s.due_on, [s.project.name, s.name, s.responsible_unit, _step_status(s, day), s.due_on,
                                   _health_label(selectors.step_health(s, day, calendar))]))
    for item in items:
        late = item.promised_on < day
        entries.append((item.promised_on, [item.step.project.name, _("补齐容缺材料：%(material)s（%(step)s）") % {
            "material": item.material, "step": item.step.name}, item.owner, DeferredItem.Status.OPEN.label,
            item.promised_on,
            _health_label(Health.OVERDUE if late else Health.ON_TRACK)]))
    entries.sort(key=lambda e: (e[0] or dt.date.max, e[1][0]))
    body = [[i, *row] for i, (_due, row) in enumerate(entries, start=1)]
    return Table(_("任务清单"),
                 [_("序号"), _("项目"), _("任务"), _("责任单位/责任人"), _("状态"), _("期限"), _("进度")], body)


def _step_status(step: Step, day: dt.date) -> str:
    """The step's status on the report day: one started by then and closed after it was being handled."""
    if step.status in Step.CLOSED and step.actual_finish and step.actual_finish > day:
        started = step.actual_start is not None and step.actual_start <= day
        return str(Step.Status.IN_PROGRESS.label if started else Step.Status.PENDING.label)
    return step.get_status_display()


def _projects_on(scope: RegionScope, day: dt.date) -> list[Project]:
    """The projects registered by the end of the report day, with their steps."""
    registered_by = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min),
                                        timezone.get_default_timezone())
    return list(selectors.with_steps(selectors.projects(scope).filter(created_at__lt=registered_by)))


def _progress(scope: RegionScope, projects: list[Project], day: dt.date, week_start: dt.date,
              calendar: WorkCalendar) -> list[Table]:
    health = Counter(selectors.project_health(p, day, calendar) for p in projects)
    by_level = Counter((p.level, selectors.project_health(p, day, calendar)) for p in projects)
    status_table = Table(_("项目推进情况"), [_("项目级别"), _("项目数"), *[_health_label(h) for h in Health.ORDER]], [
        [str(label), sum(by_level[(level, h)] for h in Health.ORDER), *[by_level[(level, h)] for h in Health.ORDER]]
        for level, label in Project.Level.choices
    ] + [[_("合计"), len(projects), *[health[h] for h in Health.ORDER]]])
    closed = selectors.steps(scope).filter(status=Step.Status.DONE, actual_finish__range=(week_start, day))
    timeliness = Counter(closed.values_list("timeliness", flat=True))
    week_table = Table(_("本周办结环节"), [_("办结环节数"), *[str(label) for _value, label in Step.Timeliness.choices]],
                       [[sum(timeliness.values()), *[timeliness[value] for value, _label in Step.Timeliness.choices]]])
    return [status_table, week_table]


def weekly_report(scope: RegionScope, *, day: dt.date, scope_label: str, calendar: WorkCalendar) -> WeeklyReport:
    report_day = report_day_for(day)
    week_start = report_day - dt.timedelta(days=6)
    projects = _projects_on(scope, report_day)
    shapes = [(bytes(p.boundary.wkb), selectors.project_health(p, report_day, calendar))
              for p in projects if p.boundary is not None]
    townships = [(bytes(r.geom.wkb), r.name) for r in region_selectors.regions(scope)
                 .filter(level=Level.TOWNSHIP, geom__isnull=False, retired_in__isnull=True)
                 if r.geom is not None] if shapes else []
    return WeeklyReport(report_day=report_day, week_start=week_start, scope_label=scope_label,
                        problems=_problems(scope, report_day, week_start),
                        responsibilities=_responsibilities(scope, report_day),
                        tasks=_tasks(scope, report_day, calendar),
                        progress=_progress(scope, projects, report_day, week_start, calendar),
                        sections=section_tables(scope, Week(start=week_start, report_day=report_day)),
                        project_shapes=shapes, townships=townships)


# --- the daily digest -----------------------------------------------------------------------------------

# What the digest follows: the battle map's own records (the audit trail holds every app's).
DIGEST_TYPES = ("projects.project", "projects.step", "projects.deferreditem", "projects.problem",
                "projects.servicerequest",
                "projects.targetlist", "projects.proceduretemplate")


def digest_entries(scope: RegionScope, day: dt.date) -> QuerySet[AuditEntry]:
    """The audit entries of the battle map's records written on `day` (Beijing time), newest first."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_default_timezone())
    return (audit_selectors.entries(scope).filter(target_type__in=DIGEST_TYPES, at__gte=start,
                                                  at__lt=start + dt.timedelta(days=1))
            .order_by("-at", "-id"))


def digest_change(entry: AuditEntry) -> str:
    """The entry's first changes as one readable line: field labels, choice labels, Beijing times (audit.rendering)."""
    return audit_rendering.change_summary(entry)


@dataclass
class DailyDigest:
    day: dt.date
    scope_label: str
    changes: Table

    @property
    def title(self) -> str:
        return _("用地要素保障每日动态（%(day)s）") % {"day": self.day.isoformat()}


def daily_digest(scope: RegionScope, *, day: dt.date, scope_label: str) -> DailyDigest:
    rows = [[timezone.localtime(e.at).strftime("%H:%M:%S"), audit_rendering.actor_text(e), e.get_action_display(),
             audit_rendering.target_text(e), digest_change(e), audit_rendering.note_text(e)]
            for e in digest_entries(scope, day)]
    return DailyDigest(day, scope_label,
                       Table(_("变更记录"), [_("时间"), _("操作人"), _("操作"), _("对象"), _("变更内容"),
                                                             _("说明")], rows))


# --- docx and xlsx --------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:,.4f}".rstrip("0").rstrip(".")
    return str(value)


def weekly_figure(report: WeeklyReport) -> bytes | None:
    """The projects on the report day, coloured by health over the scope's townships."""
    if not report.project_shapes:
        return None
    shapes = [shapely.from_wkb(wkb) for wkb, _health in report.project_shapes]
    healths = [health for _wkb, health in report.project_shapes]
    outlines = [shapely.from_wkb(wkb) for wkb, _name in report.townships]
    legend = [LegendEntry(Health.COLOURS[h], str(Health.LABELS[h])) for h in Health.ORDER if h in healths]
    return map_png([FigureLayer(outlines, None, outline="#1f5c4a", width=1.0),
                    FigureLayer(shapes, [Health.COLOURS[h] for h in healths], outline="#333333", width=1.0)], legend)


def weekly_docx(report: WeeklyReport) -> bytes:
    figure = weekly_figure(report)
    caption = _("图：%(day)s 重点项目推进情况（按项目用地范围）") % {"day": report.report_day.isoformat()}
    return _docx(report.title, report.scope_label, report.week_start, report.report_day,
                 [*report.lists, *report.progress, *report.sections], figure=(figure, caption))


def digest_docx(digest: DailyDigest) -> bytes:
    return _docx(digest.title, digest.scope_label, digest.day, digest.day, [digest.changes])


def _docx(title: str, scope_label: str, start: dt.date, end: dt.date, tables: list[Table], *,
          figure: tuple[bytes | None, str] = (None, "")) -> bytes:
    document = documents.new_document(title=title, author=scope_label)
    documents.add_title(document, title)
    line = _("数据范围：%(scope)s　统计周期：%(start)s 至 %(end)s（数据截至 %(end)s）　生成时间：%(now)s（北京时间）")
    document.add_paragraph(line % {"scope": scope_label, "start": start.isoformat(), "end": end.isoformat(),
                                   "now": timezone.localtime().strftime("%Y-%m-%d %H:%M")})
    documents.add_figure(document, *figure)
    numbers = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四", "十五"]
    for number, table in zip(numbers, tables, strict=False):
        documents.add_table(document, table.headers, [[_text(v) for v in row] for row in table.rows],
                            heading=f"{number}、{table.title}", empty=_("无。"))
    return documents.to_bytes(document)


def weekly_xlsx(report: WeeklyReport) -> bytes:
    """One sheet per list and one for the progress tables, each headed like every LandGuard export."""
    wb = Workbook()
    wb.remove(wb.active)
    for table in report.lists:
        _sheet(wb, table.title, report, [table])
    # The progress tables share a sheet, each under its own title line.
    _sheet(wb, _("推进情况"), report, [part for t in report.progress for part in (Table(t.title, [t.title], []), t)])
    for table in report.sections:
        _sheet(wb, table.title, report, [table])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def digest_xlsx(digest: DailyDigest) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    _sheet(wb, digest.changes.title, digest, [digest.changes])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _sheet(wb: Workbook, title: str, report: WeeklyReport | DailyDigest, blocks: list[Table]) -> None:
    ws = wb.create_sheet(title[:31])
    ws.append([_("%(title)s　%(report)s　数据范围：%(scope)s")
               % {"title": title, "report": report.title, "scope": report.scope_label}])
    ws.cell(row=1, column=1).font = Font(bold=True, size=13)
    widths: dict[int, int] = {}
    fill = PatternFill("solid", fgColor="DDE7F0")
    for block in blocks:
        headers, rows = block.headers, block.rows
        ws.append([str(h) for h in headers])
        for index in range(1, len(headers) + 1):
            cell = ws.cell(row=ws.max_row, column=index)
            cell.font, cell.fill, cell.alignment = Font(bold=True), fill, Alignment(wrap_text=True, vertical="center")
        for row in rows:
            ws.append([v if isinstance(v, (int, float, dt.date)) or v is None else str(v) for v in row])
            for index, number_format in enumerate(block.formats, start=1):
                if number_format:
                    ws.cell(row=ws.max_row, column=index).number_format = number_format
        for row in [headers, *rows]:
            for index, value in enumerate(row, start=1):
                widths[index] = max(widths.get(index, 0), display_width(value))
    for index, width in widths.items():
        ws.column_dimensions[get_column_letter(index)].width = min(MAX_WIDTH, max(MIN_WIDTH, width + 2))
    ws.freeze_panes = "A3"
    print_setup(ws, columns=max(widths, default=1))


# --- monthly ranking of service groups ------------------------------------------------------------------


def month_range(month: dt.date) -> tuple[dt.date, dt.date]:
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def ranking(scope: RegionScope, month: dt.date) -> QuerySet[ServiceGroup]:
    """Service groups by on-time rate of the steps they closed in the month (提前 + 按期 over all closed), then
    by early completions: the first with any closed step earns the month's red flag (流动红旗)."""
    first, last = month_range(month)
    visible = selectors.projects(scope).values("pk")
    closed = Q(projects__steps__status=Step.Status.DONE, projects__steps__actual_finish__range=(first, last),
               projects__in=visible)
    return (selectors.service_groups(scope)
            .annotate(closed=Count("projects__steps", filter=closed),
                      ahead=Count("projects__steps",
                                  filter=closed & Q(projects__steps__timeliness=Step.Timeliness.AHEAD)),
                      on_time=Count("projects__steps",
                                    filter=closed & Q(projects__steps__timeliness=Step.Timeliness.ON_TIME)),
                      late=Count("projects__steps",
                                 filter=closed & Q(projects__steps__timeliness=Step.Timeliness.LATE)))
            .annotate(rate=Coalesce(Cast(F("ahead") + F("on_time"), FloatField()) * Value(100.0)
                                    / Cast(NullIf(F("closed"), 0), FloatField()), Value(-1.0)))
            .order_by("-rate", "-ahead", "-closed", "name"))


def ranked(scope: RegionScope, month: dt.date) -> list[Any]:
    """The month's ranking without the groups that closed no step: its first is the red flag's candidate. (Any:
    the rows carry ranking()'s annotations, which the model's type does not know.)"""
    return list(ranking(scope, month).filter(closed__gt=0))  # type: ignore[misc]  # annotated in ranking()


@dataclass(frozen=True)
class SinceTotals:
    """What the scope's service groups did since the start of `since` (德州: "172 guarantee tasks since 2021, 36
    ahead of schedule"): steps closed and their timeliness, and the red flags each group holds."""

    since: int
    closed: int
    ahead: int
    on_time: int
    late: int
    flags: list[tuple[str, int]]  # (service group, red flags), most first
    flag_count: int


def since_totals(scope: RegionScope, since: int, until: dt.date) -> SinceTotals:
    start = dt.date(since, 1, 1)
    steps = Step.objects.filter(project__in=selectors.projects(scope).values("pk"), status=Step.Status.DONE,
                                actual_finish__range=(start, until))
    counts = steps.aggregate(closed=Count("id"), ahead=Count("id", filter=Q(timeliness=Step.Timeliness.AHEAD)),
                             on_time=Count("id", filter=Q(timeliness=Step.Timeliness.ON_TIME)),
                             late=Count("id", filter=Q(timeliness=Step.Timeliness.LATE)))
    flags = (selectors.red_flags(scope).filter(month__range=(start, until)).values("group__name")
             .annotate(n=Count("id")).order_by("-n", "group__name"))
    listed = [(row["group__name"], row["n"]) for row in flags]
    return SinceTotals(since, counts["closed"], counts["ahead"], counts["on_time"], counts["late"], listed,
                       sum(n for _name, n in listed))
