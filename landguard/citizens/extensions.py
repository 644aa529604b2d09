"""What the citizens app plugs into the shell at start-up (CitizensConfig.ready): the search of registration
applications (by title, 不动产单元号, name or masked ID number — never by a full number, which would put it in a URL
and the logs), the home section of the staff handling them (their open matters), and the registrations a land
service commissioner handled (shell.service_links), and the weekly report's 便民服务 section."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from landguard.citizens import selectors
from landguard.citizens.figures import figures_table
from landguard.citizens.views import REGISTRATIONS
from landguard.core.scope import RegionScope
from landguard.projects.models import ServiceRequest
from landguard.core import clock
from landguard.core.exports import COUNT
from landguard.shell import homes, reports, search, service_links

search.register(search.listing_provider(
    "citizens.registrations", REGISTRATIONS, label=lambda m: m.title,
    url=lambda m: reverse("citizens:detail", args=[m.pk]),
    detail=lambda m: f"{m.registration.get_reg_kind_display()} · {m.get_status_display()}", order=30))


def _home(viewer: homes.Viewer) -> dict[str, Any] | None:
    mine = selectors.my_open(viewer.scope, viewer.user_id)
    count = mine.count()
    if not count:
        return None
    return {"matters": list(mine[:5]), "count": count}


homes.register(homes.HomeSection("citizens.my_matters", gettext_lazy("我经办的便民服务事项"), "citizens/_home.html",
                                 _home, roles=frozenset({homes.ADMIN, homes.LEADER, homes.STAFF}), order=40,
                                 per_user=True))


def _helped_items(scope: RegionScope, request_id: int) -> list[service_links.Linked]:
    found = selectors.helped(scope, ServiceRequest.objects.filter(pk=request_id))
    return [service_links.Linked(m.title, reverse("citizens:detail", args=[m.pk]), m.get_status_display())
            for m in found.order_by("-received_at")]


service_links.register(service_links.LinkedWork(
    "citizens.registrations", gettext_lazy("不动产登记"), gettext_lazy("件"), None,
    lambda scope, requests: service_links.Tally(selectors.helped(scope, requests).count()), _helped_items,
    basis=gettext_lazy("受理不动产登记时选择了该诉求的登记事项。"), order=40))


def _week(scope: RegionScope, week: reports.Week) -> list[reports.Table]:
    figures = selectors.service_figures(scope, week.start, week.report_day, min(week.report_day, clock.today()))
    return [reports.Table(_("便民服务（本周）"), [_("指标"), _("数值")], figures_table(figures), (None, COUNT))]


reports.register(reports.Section("citizens.week", _week, order=40))
