"""What the planning app plugs into the shell at start-up (imported in PlanningConfig.ready): the township's 考核
section of the home page (its indicators: target, current, gap, status, deadline; for a county viewer, each
township's statuses counted), a dashboard tile of the county's indicators and idle land, and a weekly-report table
of the township breakdown."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from landguard.core.exports import COUNT
from landguard.core.scope import RegionScope
from landguard.planning import selectors
from landguard.shell import dashboard, homes, reports

TOWNSHIP_CODE_LENGTH = 9


def home_context(viewer: homes.Viewer) -> dict[str, Any] | None:
    """The township's indicators for a township viewer; each township's statuses for a county viewer; None else."""
    scope = viewer.scope
    plan = selectors.plan_for_scope(scope)
    if plan is None:
        return None
    root = scope.root_code
    if len(root) == TOWNSHIP_CODE_LENGTH:
        rows = selectors.township_rows(scope, plan, township_code=root)
        return {"plan": plan, "rows": rows, "township": rows[0].township if rows else None} if rows else None
    if root != plan.region_code:
        return None
    counts: dict[str, Counter] = {}
    townships = {}
    for row in selectors.township_rows(scope, plan):
        townships[row.township.code] = row.township
        counts.setdefault(row.township.code, Counter())[row.status] += 1
    summary = [{"township": townships[code], "met": c[selectors.Status.MET], "not_met": c[selectors.Status.NOT_MET],
                "overdue": c[selectors.Status.OVERDUE], "pending": c[selectors.Status.PENDING] + c[
                    selectors.Status.UNMEASURED]} for code, c in counts.items()]
    return {"plan": plan, "summary": summary} if summary else None


homes.register(homes.HomeSection(
    key="planning.township_indicators", title=gettext_lazy("规划指标考核"), template="planning/_home_section.html",
    context=home_context, roles=frozenset({homes.STAFF, homes.LEADER, homes.ADMIN}), order=60))


def tile(scope: RegionScope) -> dict[str, Any]:
    plan = selectors.plan_for_scope(scope)
    idle = selectors.idle_totals(selectors.idle_parcels(scope))
    rows = selectors.county_rows(scope, plan) if plan else []
    statuses = Counter(r.status for r in selectors.township_rows(scope, plan)) if plan else Counter()
    chart = [{"name": str(selectors.Status.LABELS[k]), "value": v} for k, v in statuses.items()]
    return {"plan": plan, "rows": rows, "idle": idle, "charts": {"planning_statuses": chart}}


dashboard.register(dashboard.Tile(key="planning.indicators", template="planning/_dashboard_tile.html", context=tile,
                                  order=50, actions=((gettext_lazy("乡镇指标分解表"), "planning:townships-export"),)))


def _weekly(scope: RegionScope, week: reports.Week) -> list[reports.Table]:
    plan = selectors.plan_for_scope(scope)
    if plan is None:
        return []
    rows = [[r.township.name, r.kind_label, r.target, r.current_mu, r.gap,
             r.deadline.isoformat() if r.deadline else "", r.status_label]
            for r in selectors.township_rows(scope, plan) if r.status != selectors.Status.MET]
    idle = selectors.idle_totals(selectors.idle_parcels(scope))
    return [
        reports.Table(_("规划指标分解未达标、逾期或待分解的乡镇"),
                      [_("乡镇（街道）"), _("指标"), _("分解值（亩）"), _("现状值（亩）"), _("差值（亩）"),
                       _("分解布局期限"), _("状态")], rows,
                      (None, None, "#,##0.0000", "#,##0.0000", "#,##0.0000", None, None)),
        reports.Table(_("闲散土地"), [_("宗数"), _("面积（亩）"), _("面积（万亩）"), _("村（社区）数"),
                                      _("乡镇（街道）数")],
                      [[idle.parcels, idle.mu, idle.wan_mu, idle.villages, idle.townships]],
                      (COUNT, "#,##0.00", "#,##0.0000", COUNT, COUNT)),
    ]


reports.register(reports.Section("planning.indicators", _weekly, order=40))
