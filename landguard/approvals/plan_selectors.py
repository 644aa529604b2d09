"""Reads of 成片开发方案, each through the viewer's RegionScope (applied here), and the figures their pages and the
API show: the checklist (run now against the official layers), the implementation plan with its 实施率 and the
county's earlier approved plans."""

from __future__ import annotations

import shapely
from django.db.models import QuerySet

from landguard.analysis.errors import OverlayError
from landguard.approvals import plans, spatial
from landguard.approvals.models import DevelopmentPlan, DevelopmentPlanStatusChange
from landguard.core import clock
from landguard.core.scope import RegionScope, one_or_404
from landguard.shell import supply_rate


def development_plans(scope: RegionScope) -> QuerySet[DevelopmentPlan]:
    return scope.filter(DevelopmentPlan.objects.select_related("region"), "region_code")


def get_plan(scope: RegionScope, pk: int) -> DevelopmentPlan:
    return one_or_404(development_plans(scope).prefetch_related("projects", "years"), pk=pk)


def history(plan: DevelopmentPlan) -> QuerySet[DevelopmentPlanStatusChange]:
    return plan.history.select_related("actor").order_by("at", "id")


def year_rates(plan: DevelopmentPlan) -> list[plans.YearRate]:
    return plans.year_rates(list(plan.years.all()), clock.today())


def earlier_plans(plan: DevelopmentPlan) -> list[plans.EarlierPlan]:
    """The county's other approved plans (approved before this one, when it is approved) with their 实施率. The
    plan is in the viewer's scope, and these are filed under the same county, so they are too."""
    qs = (DevelopmentPlan.objects.filter(region_code=plan.region_code, status=DevelopmentPlan.Status.APPROVED)
          .exclude(pk=plan.pk).defer("boundary").prefetch_related("years").order_by("approved_on", "pk"))
    if plan.approved_on is not None:
        qs = qs.filter(approved_on__lt=plan.approved_on)
    today = clock.today()
    return [plans.EarlierPlan(p, plans.year_rates(list(p.years.all()), today)) for p in qs]


def checklist(scope: RegionScope, plan: DevelopmentPlan) -> plans.PlanChecklist:
    """The checks of the plan, run now against the current official layers."""
    try:
        result = spatial.measure(scope, shapely.from_wkb(bytes(plan.boundary.wkb))).result
    except OverlayError:
        result = None
    today = clock.today()
    return plans.checklist(plan, result, years=list(plan.years.all()), earlier=earlier_plans(plan), today=today,
                           supply_rate=supply_rate.rate(plan.region_code, today))
