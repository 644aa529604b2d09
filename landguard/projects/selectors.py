"""Reads for the battle map, always through the caller's RegionScope, and the status every page shows.

A project is visible when its region or one of its parts (per-township pieces of its boundary) lies in the
scope: a township officer sees the projects touching the township, the county sees them all. Steps, 容缺
items, problems and service requests of a project follow the project. Service groups, templates and
responsibility lists issued above the scope are visible (q_reaching), their per-region rows are not.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Max, Prefetch, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from landguard.core import clock
from landguard.core.geodesy import wan_mu
from landguard.core.scope import RegionScope, one_or_404
from landguard.core.workdays import WorkCalendar, add_working_days
from landguard.projects.models import (
    CalendarDay,
    DeferredItem,
    Dispatch,
    Problem,
    ProcedureTemplate,
    Project,
    ProjectPart,
    RedFlag,
    ServiceGroup,
    ServiceRequest,
    ServiceVisit,
    Step,
    Target,
    TargetList,
)
from landguard.people import selectors as people_selectors
from landguard.people.models import OrgUnit, User
from landguard.shell import approved_land, service_links

# A step whose deadline is at most this many working days away is "due soon" (临期).
DUE_SOON_WORKING_DAYS = 3


class Health:
    """A project's (or step's) colour on the map."""

    ON_TRACK = "on_track"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    DONE = "done"
    LABELS = {ON_TRACK: _("正常推进"), DUE_SOON: _("临期"), OVERDUE: _("超期"), DONE: _("已办结")}
    COLOURS = {ON_TRACK: "#2e7d32", DUE_SOON: "#e0a100", OVERDUE: "#c62828", DONE: "#607d8b"}
    ORDER = (OVERDUE, DUE_SOON, ON_TRACK, DONE)


# --- querysets ------------------------------------------------------------------------------------------


def projects(scope: RegionScope) -> QuerySet[Project]:
    in_parts = ProjectPart.objects.filter(scope.q("region_code")).values("project_id")
    qs = Project.objects.select_related("region", "service_group")
    if scope.unrestricted:
        return qs
    return qs.filter(scope.q("region_code") | Q(pk__in=in_parts))


def get_project(scope: RegionScope, pk: int) -> Project:
    return one_or_404(projects(scope), pk=pk)


def owns(scope: RegionScope, of: Project | Problem | ServiceRequest | TargetList) -> bool:
    """The scope holds the record's own region, not only a part of it or a region below: the records its users
    may work on (a township officer sees a county project crossing the township but does not edit it), and the
    lists whose import notes (citing rows anywhere in the list) they may read."""
    return scope.contains(of.region_code)


def get_project_with_steps(scope: RegionScope, pk: int) -> Project:
    """One project with its steps, their predecessors and 容缺 items, for the project page."""
    steps_qs = Step.objects.order_by("order").prefetch_related("depends_on", "deferred_items")
    return one_or_404(projects(scope).prefetch_related(Prefetch("steps", queryset=steps_qs)), pk=pk)


def with_steps(queryset: QuerySet[Project]) -> QuerySet[Project]:
    return queryset.prefetch_related(Prefetch("steps", queryset=Step.objects.order_by("order")))


def parts(scope: RegionScope, of: Project) -> QuerySet[ProjectPart]:
    return scope.filter(of.parts.select_related("region").order_by("-area_m2"), "region_code")


def steps(scope: RegionScope) -> QuerySet[Step]:
    return Step.objects.filter(project__in=projects(scope).values("pk")).select_related("project",
        "project__service_group")


def get_step(scope: RegionScope, pk: int) -> Step:
    return one_or_404(steps(scope), pk=pk)


def deferred_items(scope: RegionScope) -> QuerySet[DeferredItem]:
    return DeferredItem.objects.filter(step__in=steps(scope).values("pk")).select_related("step", "step__project")


def get_deferred_item(scope: RegionScope, pk: int) -> DeferredItem:
    return one_or_404(deferred_items(scope), pk=pk)


def problems(scope: RegionScope) -> QuerySet[Problem]:
    qs = Problem.objects.select_related("project", "region")
    if scope.unrestricted:
        return qs
    return qs.filter(scope.q("region_code") | Q(project__in=projects(scope).values("pk")))


def get_problem(scope: RegionScope, pk: int) -> Problem:
    return one_or_404(problems(scope), pk=pk)


def service_requests(scope: RegionScope) -> QuerySet[ServiceRequest]:
    qs = ServiceRequest.objects.select_related("project", "commissioner", "region")
    if scope.unrestricted:
        return qs
    return qs.filter(scope.q("region_code") | Q(project__in=projects(scope).values("pk")))


def get_service_request(scope: RegionScope, pk: int) -> ServiceRequest:
    return one_or_404(service_requests(scope), pk=pk)


@dataclass(frozen=True)
class CommissionerFigures:
    """What one land service commissioner did for enterprises, as the links say (shell.service_links)."""

    commissioner: User | None  # None: the total row
    requests: int
    resolved: int
    days_saved: int
    tallies: tuple[tuple[service_links.LinkedWork, service_links.Tally], ...]


def commissioner_figures(scope: RegionScope) -> list[CommissionerFigures]:
    """One row per commissioner of the scope's requests, then the total: requests, resolved, days saved and, per
    kind of work registered by the apps, what the linked dossiers, supplies and registrations add up to — each
    counted only as far as the viewer's scope reaches."""
    requests = service_requests(scope)
    per = (requests.order_by().values("commissioner").annotate(
        n=Count("id"), resolved=Count("id", filter=Q(status=ServiceRequest.Status.RESOLVED)), saved=Sum("days_saved")))
    people = User.objects.in_bulk([p["commissioner"] for p in per])
    works = service_links.works()
    rows = [CommissionerFigures(people[p["commissioner"]], p["n"], p["resolved"], p["saved"] or 0,
                                tuple((w, w.tally(scope, requests.filter(commissioner_id=p["commissioner"])))
                                      for w in works))
            for p in per]
    rows.sort(key=lambda r: str(r.commissioner))
    if len(rows) > 1:
        rows.append(CommissionerFigures(None, sum(r.requests for r in rows), sum(r.resolved for r in rows),
                                        sum(r.days_saved for r in rows),
                                        tuple((w, w.tally(scope, requests)) for w in works)))
    return rows


def linked_work(scope: RegionScope, item: ServiceRequest) -> list[tuple[service_links.LinkedWork,
                                                                        list[service_links.Linked]]]:
    """The dossiers, supplies and registrations done under one request, by kind of work."""
    return [(w, found) for w in service_links.works() if (found := w.items(scope, item.pk))]


def visits(scope: RegionScope) -> QuerySet[ServiceVisit]:
    return scope.filter(ServiceVisit.objects.select_related("project"), "region_code")


@dataclass(frozen=True)
class LeaderCoverage:
    """One responsible leader (包保领导) of the scope's active projects and their visits in a year."""

    leader: str
    projects: list[str]
    visits: int
    last_visit: dt.date | None


def visit_coverage(scope: RegionScope, year: int) -> list[LeaderCoverage]:
    """Every 包保领导 named on an active project of the scope with the visits they made to their projects in `year`:
    those not yet visited first (湖北: each at least once before the year ends)."""
    named: dict[str, list[str]] = {}
    for name, leader in projects(scope).filter(status=Project.Status.ACTIVE).exclude(leader="").order_by(
            "name").values_list("name", "leader"):
        named.setdefault(leader.strip(), []).append(name)
    made = visits(scope).filter(visited_on__year=year, project__leader__in=list(named)).values(
        "leader", "project__leader").annotate(n=Count("id"), last=Max("visited_on"))
    counted: dict[str, tuple[int, dt.date | None]] = {}
    for row in made:
        if row["leader"].strip() != row["project__leader"].strip():
            continue  # someone else visited: it does not count for the project's leader
        n, last = counted.get(row["leader"].strip(), (0, None))
        counted[row["leader"].strip()] = (n + row["n"], max(filter(None, (last, row["last"]))))
    rows = [LeaderCoverage(leader, names, *counted.get(leader, (0, None))) for leader, names in named.items()]
    return sorted(rows, key=lambda r: (r.visits > 0, r.leader))


def red_flags(scope: RegionScope) -> QuerySet[RedFlag]:
    """Red flags awarded in the scope, or to a group of the scope (a county's award seen from its township)."""
    return RedFlag.objects.filter(scope.q("region_code") | scope.q("group__region_code")).select_related("group")


@dataclass(frozen=True)
class GroupStructure:
    """德州's "1+1+N": one leadership group (领导小组), one lead team (专班), and N service groups each paired
    one-to-one with a 作战指挥部. What breaks the pattern is named, not just counted."""

    leadership_groups: list[str]
    lead_teams: list[str]
    groups: int
    shared_headquarters: list[tuple[str, list[str]]]  # (指挥部, the groups sharing it)

    @property
    def formula(self) -> str:
        return f"{len(self.leadership_groups)} + {len(self.lead_teams)} + {self.groups}"

    @property
    def holds(self) -> bool:
        return (len(self.leadership_groups) == 1 and len(self.lead_teams) == 1 and self.groups > 0
                and not self.shared_headquarters)


def group_structure(scope: RegionScope) -> GroupStructure:
    units = people_selectors.org_units(scope).filter(region__code=scope.root_code) if scope.root_code else \
        people_selectors.org_units(scope).none()
    names = lambda kind: sorted(units.filter(kind=kind).values_list("name", flat=True))  # noqa: E731
    groups = list(service_groups(scope).filter(scope.q("region_code")).values_list("name", "headquarters"))
    by_hq: dict[str, list[str]] = {}
    for name, hq in groups:
        by_hq.setdefault(hq.strip(), []).append(name)
    return GroupStructure(names(OrgUnit.Kind.LEADERSHIP_GROUP), names(OrgUnit.Kind.SERVICE_TEAM), len(groups),
                          sorted((hq, sorted(g)) for hq, g in by_hq.items() if len(g) > 1))


def service_groups(scope: RegionScope) -> QuerySet[ServiceGroup]:
    """Groups of the scope and of the regions above it (the county's groups serve its townships)."""
    return ServiceGroup.objects.filter(scope.q_reaching("region_code")).select_related("region")


def templates(scope: RegionScope) -> QuerySet[ProcedureTemplate]:
    return ProcedureTemplate.objects.filter(Q(region__isnull=True) | scope.q_reaching("region_code"))


def get_template(scope: RegionScope, pk: int) -> ProcedureTemplate:
    return one_or_404(templates(scope), pk=pk)


def dispatches(scope: RegionScope) -> QuerySet[Dispatch]:
    """Reports of the leadership groups inside the scope: a county report holds the whole county, so a
    township officer does not see it."""
    return scope.filter(Dispatch.objects.select_related("group"), "region_code")


def get_dispatch(scope: RegionScope, pk: int) -> Dispatch:
    return one_or_404(dispatches(scope), pk=pk)


def target_lists(scope: RegionScope) -> QuerySet[TargetList]:
    return TargetList.objects.filter(scope.q_reaching("region_code")).select_related("region")


def get_target_list(scope: RegionScope, pk: int) -> TargetList:
    return one_or_404(target_lists(scope), pk=pk)


def targets(scope: RegionScope, of: TargetList) -> QuerySet[Target]:
    return scope.filter(of.targets.select_related("region"), "region_code")


def calendar_days() -> QuerySet[CalendarDay]:
    """The holiday schedule is national: the same for every scope."""
    return CalendarDay.objects.all()


def get_calendar_day(pk: int) -> CalendarDay:
    return one_or_404(calendar_days(), pk=pk)


# --- status ---------------------------------------------------------------------------------------------


def closed_by(step: Step, day: dt.date) -> bool:
    """Whether the step was closed on `day` (a report as of a past day counts a step closed later as open)."""
    return step.status in Step.CLOSED and (step.actual_finish is None or step.actual_finish <= day)


def _as_of(day: dt.date) -> dt.datetime:
    """The moment a judgement as of `day` is made: now for today, the end of a past report day (Beijing time)."""
    now = clock.now()
    if day >= timezone.localdate(now):
        return now
    return timezone.make_aware(dt.datetime.combine(day, dt.time.max), timezone.get_default_timezone())


def step_health(step: Step, today: dt.date, calendar: WorkCalendar) -> str:
    """The step's health as of `today` (a past report day judges it as it stood then)."""
    if closed_by(step, today):
        return Health.DONE
    if step.due_on is None:
        return Health.ON_TRACK
    if step.due_on < today or (step.due_at is not None and step.due_at < _as_of(today)):
        return Health.OVERDUE
    if step.due_on <= add_working_days(today, DUE_SOON_WORKING_DAYS, calendar):
        return Health.DUE_SOON
    return Health.ON_TRACK


def project_health(project: Project, today: dt.date, calendar: WorkCalendar) -> str:
    """The worst of its open steps (overdue before due soon before on track); done when closed. Reads
    project.steps.all(), so prefetch them (with_steps) for lists."""
    steps = list(project.steps.all())
    if project.status == Project.Status.DONE and all(closed_by(s, today) for s in steps):
        return Health.DONE
    states = {step_health(s, today, calendar) for s in steps}
    return next((h for h in Health.ORDER if h in states and h != Health.DONE), Health.ON_TRACK)


def current_steps(project: Project) -> list[Step]:
    """The steps being handled now (from prefetched steps)."""
    return [s for s in project.steps.all() if s.status == Step.Status.IN_PROGRESS]


def land_ready_on(project: Project) -> dt.date | None:
    """When the last step is planned (or, once started, due) to close: land ready for construction."""
    dates = [s.actual_finish or s.due_on or s.planned_finish for s in project.steps.all()]
    return max((d for d in dates if d), default=None)


# --- responsibility-list progress -----------------------------------------------------------------------


@dataclass(frozen=True)
class TargetProgress:
    target: Target
    task_cases: int
    task_wan_mu: float
    key_cases: int
    key_wan_mu: float

    @property
    def total_cases(self) -> int:
        return self.task_cases + self.key_cases

    @property
    def total_wan_mu(self) -> float:
        return round(self.task_wan_mu + self.key_wan_mu, 4)

    @property
    def area_rate(self) -> float | None:
        goal = float(self.target.total_wan_mu)
        return round(self.total_wan_mu / goal * 100, 1) if goal else None

    @property
    def gap_wan_mu(self) -> float:
        return round(max(0.0, float(self.target.total_wan_mu) - self.total_wan_mu), 4)


@dataclass(frozen=True)
class _Done:
    """One approval (or, in the fallback, one project) that counts: its pieces (region code, m²) and whether it
    serves a 省重点 or higher project."""

    key_project: bool
    pieces: list[tuple[str, float]]


def _approved(of: TargetList, end: dt.date) -> list[_Done]:
    """The approvals of the registered providers (the approvals app's dossiers) whose 批复日期 falls in the list's
    period, inside the list's region: one case each, by the part of its land in each township."""
    by_record: dict[str, list[tuple[str, float]]] = {}
    served: dict[str, set[int]] = {}
    for piece in approved_land.approved_pieces(of.region_code, of.period_start, end):
        by_record.setdefault(piece.record, []).append((piece.region_code, piece.area_m2))
        served.setdefault(piece.record, set()).update(piece.project_ids)
    ids = set().union(*served.values()) if served else set()
    key_ids = set(Project.objects.filter(pk__in=ids, level__in=(Project.Level.NATIONAL, Project.Level.PROVINCIAL))
                  .values_list("pk", flat=True)) if ids else set()
    return [_Done(bool(served[record] & key_ids), pieces) for record, pieces in by_record.items()]


def _step_proxy(of: TargetList, end: dt.date) -> list[_Done]:
    """Fallback, used only when no approved-land provider is registered (a deployment without the approvals app):
    a project counts when its counted step (counts_for_targets, 组卷报批) closed inside the period — a proxy for
    the approval — by its parts, or in its own region with its declared land demand when it has no boundary."""
    done = Step.objects.filter(counts_for_targets=True, status=Step.Status.DONE,
                               actual_finish__range=(of.period_start, end)).values("project_id")
    qs = Project.objects.filter(pk__in=done).prefetch_related(
        Prefetch("parts", queryset=ProjectPart.objects.defer("geom")))
    out = []
    for project in qs:
        parts = [(p.region_code, p.area_m2) for p in project.parts.all()]
        out.append(_Done(project.is_key_project,
                         parts or [(project.region_code, float(project.land_demand_ha or 0) * 10_000)]))
    return out


def progress_basis() -> str:
    """How the progress is counted, as the pages say it."""
    if approved_land.has_providers():
        return str(_("完成情况按%(source)s统计：批复日期在清单期限内的用地，按各地区范围内的面积计") % {
            "source": approved_land.source_label()})
    return str(_("完成情况按“组卷报批”环节办结日期统计（未接入报批卷宗）"))


def target_progress(scope: RegionScope, of: TargetList, *, as_of: dt.date | None = None) -> list[TargetProgress]:
    """Progress of each visible row — the one computation the list page, its xlsx, the weekly report and the API
    show: cases and area (万亩) of the land approved (批复日期) within the list's period, by the part of each
    approval inside the row's region. An approval serving a 省重点 or higher project counts in the key-project
    columns, the rest in the land-task columns. `as_of`: up to that day only (the weekly report's report day)."""
    end = of.period_end if as_of is None else min(of.period_end, as_of)
    done = _approved(of, end) if approved_land.has_providers() else _step_proxy(of, end)
    rows = []
    for target in targets(scope, of):
        counts = {"task": [0, 0.0], "key": [0, 0.0]}
        for record in done:
            inside = [area for code, area in record.pieces if code.startswith(target.region_code)]
            if not inside:
                continue
            bucket = counts["key" if record.key_project else "task"]
            bucket[0] += 1
            bucket[1] += sum(inside)
        rows.append(TargetProgress(target, counts["task"][0], wan_mu(counts["task"][1]), counts["key"][0],
                                   wan_mu(counts["key"][1])))
    return rows


@dataclass(frozen=True)
class Lagging:
    list: TargetList
    region: str
    rate: float  # area done, % of the row's target
    elapsed: float  # % of the list's period gone
    gap_wan_mu: float


def lagging_targets(scope: RegionScope, today: dt.date, points: float) -> list[Lagging]:
    """The rows of the responsibility lists running on `today` whose area done is more than `points` below the
    share of the period elapsed, the furthest behind first (the per-region reminder of the leaders' home)."""
    found = []
    for of in target_lists(scope).filter(period_start__lte=today, period_end__gte=today):
        span = (of.period_end - of.period_start).days or 1
        elapsed = round(min(100.0, (today - of.period_start).days / span * 100), 1)
        for row in target_progress(scope, of, as_of=today):
            if row.area_rate is not None and row.area_rate < elapsed - points:
                found.append(Lagging(of, row.target.region.name, row.area_rate, elapsed, row.gap_wan_mu))
    return sorted(found, key=lambda r: r.rate - r.elapsed)


@dataclass(frozen=True)
class ListTotals:
    target_cases: int
    target_wan_mu: Decimal
    done_cases: int
    done_wan_mu: float
    floor_gap: float | None
    stretch_gap: float | None


def list_totals(of: TargetList, progress: list[TargetProgress]) -> ListTotals:
    """Totals of the visible rows and, against the list's floor and stretch, what is still missing (万亩)."""
    done = round(sum(p.total_wan_mu for p in progress), 4)

    def gap(goal: Decimal | None) -> float | None:
        return None if goal is None else round(max(0.0, float(goal) - done), 4)

    return ListTotals(sum(p.target.total_cases for p in progress),
                      sum((p.target.total_wan_mu for p in progress), Decimal(0)),
                      sum(p.total_cases for p in progress), done, gap(of.floor_wan_mu), gap(of.stretch_wan_mu))
