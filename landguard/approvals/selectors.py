"""Reads of dossiers, each through the viewer's RegionScope (applied here and nowhere else), and the figures the
pages, the API, the weekly report and the battle map show: the checklist, the yearly summary per region."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import shapely
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet, Sum

from landguard.analysis.errors import OverlayError
from landguard.approvals import authority, spatial
from landguard.approvals import parts as package
from landguard.approvals.models import Dossier, DossierOverlayResult, DossierQuota
from landguard.approvals.quota_groups import group_of, kind_choices
from landguard.core.geodesy import SQM_PER_MU, mu
from landguard.core.scope import RegionScope, one_or_404
from landguard.projects import boundaries
from landguard.projects.models import Project, ServiceRequest
from landguard.quotas import selectors as quota_selectors
from landguard.quotas.models import Kind as QuotaKind
from landguard.shell import approved_land

# The construction-land quota a dossier settles (not the 补充耕地 indicators, counted apart, 公斤 among them).
CONSTRUCTION_QUOTA = (QuotaKind.PLAN, QuotaKind.LINK_TURNOVER, QuotaKind.LINK_SURPLUS)

# Statuses that hold land: a new dossier may not overlap these (no double reporting).
HOLDING = (Dossier.Status.SUBMITTED, Dossier.Status.APPROVED)


def dossiers(scope: RegionScope) -> QuerySet[Dossier]:
    return scope.filter(Dossier.objects.select_related("region"), "region_code")


def get_dossier(scope: RegionScope, pk: int) -> Dossier:
    return one_or_404(dossiers(scope).prefetch_related("projects", "quotas"), pk=pk)


def approved(scope: RegionScope) -> QuerySet[Dossier]:
    """The approved dossiers in the scope: what a batch overlay (approvals/batches.py) measures."""
    return dossiers(scope).filter(status=Dossier.Status.APPROVED)


def latest_overlay(scope: RegionScope, dossier: Dossier) -> DossierOverlayResult | None:
    """The dossier's figures from the most recent finished batch overlay (approvals/batches.py) the viewer may
    see, with its job; None when no batch has measured it."""
    from landguard.jobs.models import Job

    rows = scope.filter(DossierOverlayResult.objects.filter(dossier=dossier, job__status=Job.Status.DONE),
                        "dossier__region_code")
    return rows.select_related("job").order_by("-job__finished_at", "-job_id").first()


def history(dossier: Dossier) -> QuerySet:
    return dossier.history.select_related("actor").order_by("at", "id")


def overlaps(dossier: Dossier) -> list[tuple[Dossier, float]]:
    """Earlier submitted or approved dossiers (any scope: double reporting is a fact about the land, not about the
    viewer) whose boundaries share land with this one, with the shared official area."""
    candidates = (Dossier.objects.filter(status__in=HOLDING, boundary__intersects=dossier.boundary)
                  .exclude(pk=dossier.pk).only("pk", "name", "boundary", "region_code", "status"))
    boundary = shapely.from_wkb(bytes(dossier.boundary.wkb))
    return spatial.overlap_areas(boundary, [(d, shapely.from_wkb(bytes(d.boundary.wkb))) for d in candidates])


def quota_mu(dossier: Dossier) -> dict[str, float]:
    """The dossier's quota lines added up by group (plan: every source of 新增建设用地 quota; the 占补 kinds)."""
    totals: dict[str, float] = defaultdict(float)
    for line in dossier.quotas.all():
        totals[group_of(line.kind)] += float(line.amount)
    return dict(totals)


def checklist(scope: RegionScope, dossier: Dossier) -> spatial.Checklist:
    """The checks before submission, run now against the current official layers."""
    boundary = shapely.from_wkb(bytes(dossier.boundary.wkb))
    try:
        result = spatial.measure(scope, boundary).result
    except OverlayError:
        result = None
    delegation = authority.delegation_for(dossier.region_code, getattr(settings, "APPROVAL_DELEGATIONS", None))
    return spatial.checklist(scope, dossier, result, overlaps=overlaps(dossier), delegation=delegation,
                             quota_mu=quota_mu(dossier), required_parts=package.missing(dossier),
                             offset=offset_rule(dossier))


def collective_land(scope: RegionScope, dossier: Dossier) -> spatial.CollectiveLand:
    """The engine's collective land inside the dossier now (the 征收 prefill), or the stored figure when the
    overlay cannot run."""
    try:
        result = spatial.measure(scope, shapely.from_wkb(bytes(dossier.boundary.wkb))).result
    except OverlayError:
        result = None
    return spatial.collective_land(dossier, result)


def offset_rule(dossier: Dossier) -> spatial.OffsetRule | None:
    """The 占补平衡 rule of the dossier's date (submission date, or today): the kinds the quota app's configured
    period requires (quotas.selectors.offset_period), as the checklist's groups, with its basis."""
    on = spatial.offset_day(dossier)
    period = quota_selectors.offset_period(on)
    if period is None:
        return None
    labels = dict(kind_choices(period.kinds))
    return spatial.OffsetRule(on, tuple(group_of(k) for k in period.kinds), tuple(labels[k] for k in period.kinds),
                              str(period.basis), period.confirmed)


# --- the yearly summary --------------------------------------------------------------------------------------


@dataclass
class YearFigures:
    """One region's dossiers of one year: counts by kind and areas (m²) — reported by 上报日期, approved by 批复日期."""

    region_code: str
    region_name: str
    year: int
    reported: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    approved: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    reported_m2: float = 0.0
    approved_m2: float = 0.0
    approved_new_m2: float = 0.0
    approved_farmland_m2: float = 0.0
    expropriated_m2: float = 0.0

    @property
    def approved_count(self) -> int:
        return sum(self.approved.values())

    @property
    def reported_count(self) -> int:
        return sum(self.reported.values())

    @property
    def approved_mu(self) -> float:
        return mu(self.approved_m2)

    def approved_mu_exact(self, digits: int = 4) -> float:
        """亩 to the precision a report states (冠县's 1,707.8945 亩 is given to 4 dp)."""
        return round(self.approved_m2 / SQM_PER_MU, digits)


def _in_year(day: dt.date | None, year: int) -> bool:
    return day is not None and day.year == year


def year_figures(scope: RegionScope, year: int, *, level_code_length: int = 6) -> list[YearFigures]:
    """Per region (counties by default) of the scope: the dossiers reported (上报日期) and approved (批复日期) in
    `year`, by kind, with their areas."""
    rows: dict[str, YearFigures] = {}
    qs = dossiers(scope).filter(status__in=(*HOLDING, Dossier.Status.REFUSED)).only(
        "region_code", "region__name", "kind", "submitted_on", "approved_on", "total_m2", "agricultural_m2",
        "unused_m2", "farmland_m2", "expropriation_m2", "status")
    for d in qs:
        code = d.region_code[:level_code_length]
        row = rows.get(code)
        if row is None:
            row = rows[code] = YearFigures(code, d.region.name if len(d.region_code) == level_code_length else code,
                                           year)
        if _in_year(d.submitted_on, year):
            row.reported[d.kind] += 1
            row.reported_m2 += d.total_m2
        if d.status == Dossier.Status.APPROVED and _in_year(d.approved_on, year):
            row.approved[d.kind] += 1
            row.approved_m2 += d.total_m2
            row.approved_new_m2 += d.new_construction_m2
            row.approved_farmland_m2 += d.farmland_m2
            row.expropriated_m2 += d.expropriation_m2
    return sorted(rows.values(), key=lambda r: (-r.approved_m2, r.region_code))


def approved_between(scope: RegionScope, start: dt.date, end: dt.date) -> QuerySet[Dossier]:
    """Dossiers approved (by 批复日期) inside [start, end]: what responsibility lists and targets count."""
    return dossiers(scope).filter(status=Dossier.Status.APPROVED, approved_on__range=(start, end))


def approved_pieces(region_code: str, start: dt.date, end: dt.date) -> list[approved_land.ApprovedPiece]:
    """Every dossier approved (批复日期) within [start, end] whose land lies in the region (code prefix), cut by
    township (projects.boundaries.split_by_region, the projects' own rule) with each part's official area — what
    responsibility lists and floor/stretch targets count (shell.approved_land). Any scope: a list's rows are
    scoped by the projects app; a county dossier counts in the township rows its land lies in."""
    above = [region_code[:n] for n in (2, 4, 6, 9) if n < len(region_code)]  # a city or county dossier
    qs = (Dossier.objects.filter(status=Dossier.Status.APPROVED, approved_on__range=(start, end))
          .filter(Q(region_code__startswith=region_code) | Q(region_code__in=above))
          .only("pk", "boundary", "approved_on", "region_code", "total_m2").prefetch_related(
              Prefetch("projects", queryset=Project.objects.only("pk"))).order_by("approved_on", "pk"))
    pieces = []
    for d in qs:
        if d.approved_on is None:  # an approved dossier always has its date; the type does not know
            continue
        served = tuple(sorted(p.pk for p in d.projects.all()))
        try:
            parts = [(p.region.code, p.area_m2) for p in boundaries.split_by_region(shapely.from_wkb(bytes(
                d.boundary.wkb)))]
        except ValidationError:  # outside every mapped region: the dossier's own region, its stored area
            parts = [(d.region_code, d.total_m2)]
        pieces += [approved_land.ApprovedPiece(f"{d.holder_key}", code, area, d.approved_on, served)
                   for code, area in parts if code.startswith(region_code)]
    return pieces


def statuses_for_projects(scope: RegionScope, project_ids: list[int]) -> dict[int, list[Dossier]]:
    """Each project's dossiers in the scope (for the battle map)."""
    out: dict[int, list[Dossier]] = defaultdict(list)
    qs = dossiers(scope).filter(projects__in=project_ids).defer("boundary").prefetch_related("projects")
    for d in qs:
        for p in d.projects.all():
            if p.pk in project_ids:
                out[p.pk].append(d)
    return dict(out)


def as_dict(figures: YearFigures) -> dict[str, Any]:
    return {"region_code": figures.region_code, "region_name": figures.region_name, "year": figures.year,
            "reported_count": figures.reported_count, "approved_count": figures.approved_count,
            "approved_by_kind": dict(figures.approved), "approved_mu": figures.approved_mu_exact(4),
            "approved_ha": round(figures.approved_m2 / 10_000, 4)}


def helped(scope: RegionScope, requests: QuerySet) -> QuerySet[Dossier]:
    """The dossiers a land service commissioner handled under `requests` (shell.service_links)."""
    return dossiers(scope).filter(service_request__in=requests.values("pk"))


def helped_tally(scope: RegionScope, requests: QuerySet, *, quota: bool) -> tuple[int, int, Decimal]:
    """(dossiers, approved, 亩) of the dossiers handled under `requests`: with `quota`, those of 用地指标 requests
    and the construction-land quota their approvals settled; otherwise those of every other request (征收) and the
    area approved (the 征收 area where one is entered, else the dossier's whole area)."""
    found = helped(scope, requests.filter(kind=ServiceRequest.Kind.QUOTA) if quota
                   else requests.exclude(kind=ServiceRequest.Kind.QUOTA))
    approved = found.filter(status=Dossier.Status.APPROVED)
    if quota:
        amount = DossierQuota.objects.filter(dossier__in=approved.values("pk"), kind__in=CONSTRUCTION_QUOTA).aggregate(
            s=Sum("amount"))["s"] or Decimal(0)
    else:
        m2 = sum(taken or total for taken, total in approved.values_list("expropriation_m2", "total_m2"))
        amount = Decimal(str(round(m2 / SQM_PER_MU, 2)))
    return found.count(), approved.count(), amount
