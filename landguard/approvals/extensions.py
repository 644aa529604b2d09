"""What the approvals app plugs into the shell at start-up (imported in ApprovalsConfig.ready): the search of
dossiers, each project's 审批状态 on the battle map, the weekly report's 报批进度 section, and the approved land
that responsibility lists and floor/stretch targets count (shell.approved_land), and the dossiers a land service
commissioner handled (shell.service_links)."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from landguard.approvals import selectors
from landguard.approvals.models import Dossier
from landguard.approvals.views import DOSSIERS
from landguard.core.exports import COUNT
from landguard.core.geodesy import SQM_PER_MU, hectares
from landguard.core.scope import RegionScope
from landguard.projects.models import ServiceRequest
from landguard.shell import approved_land, reports, search, service_links, status

search.register(search.listing_provider(
    "approvals.dossiers", DOSSIERS, label=lambda d: d.name, url=lambda d: reverse("approvals:detail", args=[d.pk]),
    detail=lambda d: f"{d.get_kind_display()} · {d.get_status_display()}" + (f" · {d.approval_no}" if d.approval_no
                                                                               else ""), order=12))

# The battle map's tone per dossier status: a dossier waiting is in hand, a refusal needs attention.
_TONES: dict[str, str] = {Dossier.Status.DRAFT: "", Dossier.Status.SUBMITTED: "warn", Dossier.Status.APPROVED: "ok",
          Dossier.Status.REFUSED: "bad", Dossier.Status.WITHDRAWN: ""}
# When a project has several dossiers (one per city, 飞地), the least advanced open one speaks for it.
_RANK: dict[str, int] = {Dossier.Status.REFUSED: 0, Dossier.Status.DRAFT: 1, Dossier.Status.SUBMITTED: 2,
                         Dossier.Status.APPROVED: 3, Dossier.Status.WITHDRAWN: 4}


def _statuses(scope: RegionScope, project_ids: Collection[int]) -> Mapping[int, status.ProjectStatus]:
    out = {}
    for pk, found in selectors.statuses_for_projects(scope, list(project_ids)).items():
        live = [d for d in found if d.status != Dossier.Status.WITHDRAWN] or found
        first = min(live, key=lambda d: _RANK[d.status])
        text = first.get_status_display() if len(live) == 1 else _("%(status)s（共 %(n)s 卷）") % {
            "status": first.get_status_display(), "n": len(live)}
        out[pk] = status.ProjectStatus(text, _TONES[first.status])
    return out


status.register(status.StatusProvider("approvals.approval", gettext_lazy("报批状态"), _statuses, order=10))


def _progress(scope: RegionScope, week: reports.Week) -> list[reports.Table]:
    """This week's submissions and approvals, and the year's approvals to date per county."""
    moved = selectors.dossiers(scope).filter(approved_on__range=(week.start, week.report_day)).defer("boundary")
    submitted = selectors.dossiers(scope).filter(submitted_on__range=(week.start, week.report_day)).defer("boundary")
    rows = ([[d.name, d.get_kind_display(), d.region.name, _("批复"), hectares(d.total_m2), d.approval_no]
             for d in moved] + [[d.name, d.get_kind_display(), d.region.name, _("上报"), hectares(d.total_m2), ""]
                                for d in submitted])
    year = week.report_day.year
    totals = [[r.region_name, r.approved_count, round(r.approved_m2 / SQM_PER_MU, 4), r.reported_count]
              for r in selectors.year_figures(scope, year)]
    tables = [reports.Table(_("本周报批进展"), [_("批次/项目名称"), _("类型"), _("行政区"), _("进展"),
                                                _("面积（公顷）"),
                                                _("批复文号")], rows, (None, None, None, None, "#,##0.0000", None))]
    tables.append(reports.Table(_("%(year)s 年累计批复（截至本周）") % {"year": year},
                                [_("行政区"), _("批复（件）"), _("批复面积（亩）"), _("上报（件）")], totals,
                                (None, COUNT, "#,##0.0000", COUNT)))
    return tables


reports.register(reports.Section("approvals.progress", _progress, order=10))


approved_land.register(approved_land.ApprovedLandProvider("approvals.dossiers", gettext_lazy("报批卷宗批复"),
                                                          selectors.approved_pieces, order=10))



def _helped(quota: bool) -> service_links.LinkedWork:
    """用地指标 (quota=True): the dossiers of quota requests and the construction-land quota their approvals settled;
    土地征收: the dossiers of every other request and the area approved."""

    def requests_of(requests: QuerySet) -> QuerySet:
        kind = ServiceRequest.Kind.QUOTA
        return requests.filter(kind=kind) if quota else requests.exclude(kind=kind)

    def tally(scope: RegionScope, requests: QuerySet) -> service_links.Tally:
        count, approved, amount = selectors.helped_tally(scope, requests_of(requests), quota=quota)
        return service_links.Tally(count, amount, approved)

    def items(scope: RegionScope, request_id: int) -> list[service_links.Linked]:
        found = selectors.helped(scope, requests_of(ServiceRequest.objects.filter(pk=request_id)))
        return [service_links.Linked(d.name, reverse("approvals:detail", args=[d.pk]), " · ".join(
            (d.get_kind_display(), d.get_status_display(), f"{d.total_mu:,.2f} {_('亩')}")))
                for d in found.order_by("-year", "name")]

    if quota:
        return service_links.LinkedWork("approvals.quota", gettext_lazy("用地指标"), gettext_lazy("件"),
                                        gettext_lazy("已落实指标（亩）"), tally, items, has_approval=True, order=10,
                                        basis=gettext_lazy("关联到“用地指标”类诉求的报批卷宗；已批复卷宗使用的新增建设用地"
                                                           "计划指标与增减挂钩指标（亩）。"))
    return service_links.LinkedWork("approvals.expropriation", gettext_lazy("土地征收"), gettext_lazy("件"),
                                    gettext_lazy("已批面积（亩）"), tally, items, has_approval=True, order=20,
                                    basis=gettext_lazy("关联到其他诉求的报批卷宗；已批面积取征收面积，未填写时取用地总面积。"))


service_links.register(_helped(quota=True))
service_links.register(_helped(quota=False))
