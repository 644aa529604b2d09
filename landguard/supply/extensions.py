"""What the supply app plugs into the shell at start-up (imported in SupplyConfig.ready): the county's 供地率 for
the 成片开发 gate (shell.supply_rate), the search of 宗地号 / 电子监管号 / contract numbers, the weekly report's
供地与两清 section, the dashboard tile, the leaders' and staff's home section of 两清 items due, and the supplies a
land service commissioner handled (shell.service_links)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from landguard.core import clock
from landguard.core.exports import COUNT
from landguard.core.geodesy import SQM_PER_MU
from landguard.core.scope import RegionScope
from landguard.projects.models import ServiceRequest
from landguard.shell import dashboard, homes, reports, search, service_links, supply_rate
from landguard.supply import rates, selectors
from landguard.supply.models import Cause, SubCause, TwoClearItem
from landguard.supply.views import SUPPLIES

PROVIDER = supply_rate.register(supply_rate.SupplyRateProvider("supply.rate", gettext_lazy("供地台账"),
                                                               rates.rate_for_region_code, order=10))

search.register(search.listing_provider(
    "supply.records", SUPPLIES, label=lambda r: f"{r.parcel_no} {r.land_user}",
    url=lambda r: reverse("supply:detail", args=[r.pk]),
    detail=lambda r: " · ".join(x for x in (r.get_kind_display(), r.supervision_no, r.contract_no) if x), order=14))


def _mu4(m2: float) -> float:
    return round(m2 / SQM_PER_MU, 4)


def _week(scope: RegionScope, week: reports.Week) -> list[reports.Table]:
    """This week's supplies, and the 两清 items raised this week and still open."""
    supplied = selectors.supplies(scope).filter(signed_on__range=(week.start, week.report_day)).defer(
        "geometry", "region__geom")
    rows = [[r.parcel_no, r.land_user, r.get_kind_display(), r.get_use_display(), _mu4(r.area_m2),
             float(r.price_wan_yuan)] for r in supplied]
    items = selectors.items(scope).filter(raised_on__range=(week.start, week.report_day)).defer(
        "supply__geometry", "owner_region__geom")
    item_rows = [[i.supply.parcel_no, i.get_kind_display(), i.get_cause_display(), i.owner_region.name,
                  float(i.proposed_fee_wan_yuan or i.arrears_wan_yuan or 0)] for i in items]
    money = selectors.money(scope, week.report_day)
    open_items = selectors.items(scope).exclude(status=TwoClearItem.Status.CLOSED).count()
    return [
        reports.Table(_("本周土地供应"), [_("宗地号"), _("用地单位"), _("供地方式"), _("土地用途"), _("面积（亩）"),
                                      _("成交价（万元）")], rows, (None, None, None, None, "#,##0.0000", "#,##0.00")),
        reports.Table(_("本周新增两清事项"), [_("宗地号"), _("事项类型"), _("原因类别"), _("责任乡镇"),
                                        _("金额（万元）")], item_rows, (None, None, None, None, "#,##0.00")),
        reports.Table(_("出让金与两清（截至本周）"),
                      [_("出让收入（万元）"), _("欠缴（万元）"), _("未办结两清事项（件）")],
                      [[float(money["paid"]), float(money["arrears"]), open_items]], ("#,##0.00", "#,##0.00", COUNT)),
    ]


reports.register(reports.Section("supply.week", _week, order=20))


def tile(scope: RegionScope) -> dict[str, Any]:
    today = clock.today()
    count, area = selectors.supplied_area(scope, today.year)
    labels = {**dict(Cause.choices), **dict(SubCause.choices)}
    idle = [{"name": f"{labels[r['cause']]}·{labels[r['sub_cause']]}", "value": r["n"]}
            for r in selectors.idle_by_cause(scope)]
    trend = [{"name": str(y.year), "value": float(y.rate or 0)} for y in rates.by_year(scope)]
    return {"year": today.year, "count": count, "area_mu": round(area / SQM_PER_MU, 2),
            "money": selectors.money(scope, today), "rate": rates.region_rate(scope, today),
            "charts": {"supply_idle_by_cause": idle, "supply_rate_by_year": trend}}


dashboard.register(dashboard.Tile(key="supply.figures", template="supply/_dashboard_tile.html", context=tile,
                                  order=50, actions=((gettext_lazy("导出供地台账"), "supply:list-export"),)))


def _home(viewer: homes.Viewer) -> dict[str, Any] | None:
    due = list(selectors.items_due(viewer.scope, clock.today())[:8])
    return {"items": due} if due else None


homes.register(homes.HomeSection("supply.two_clear", gettext_lazy("两清事项"), "supply/_home_section.html", _home,
                                 roles=frozenset({homes.LEADER, homes.STAFF, homes.ADMIN}), order=40))


def _helped_tally(scope: RegionScope, requests: QuerySet) -> service_links.Tally:
    count, m2 = selectors.helped_tally(scope, requests)
    return service_links.Tally(count, Decimal(str(round(m2 / SQM_PER_MU, 2))))


def _helped_items(scope: RegionScope, request_id: int) -> list[service_links.Linked]:
    found = selectors.helped(scope, ServiceRequest.objects.filter(pk=request_id)).defer("geometry", "region__geom")
    return [service_links.Linked(f"{r.parcel_no} {r.land_user}", reverse("supply:detail", args=[r.pk]), " · ".join(
        (r.get_kind_display(), f"{r.area_m2 / SQM_PER_MU:,.2f} {_('亩')}", r.contract_no or "—")))
            for r in found.order_by("-signed_on", "id")]


service_links.register(service_links.LinkedWork(
    "supply.records", gettext_lazy("土地供应（出让/划拨）"), gettext_lazy("宗"), gettext_lazy("供地面积（亩）"),
    _helped_tally, _helped_items, basis=gettext_lazy("供地台账中选择了该诉求的出让、划拨宗地，面积为宗地的椭球面积。"),
    order=30))
