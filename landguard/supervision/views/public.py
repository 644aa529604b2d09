"""The public report form (举报): no account, no data shown, limited per client address and hour."""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from landguard.core import clock
from landguard.core.access import public
from landguard.core.client import client_ip
from landguard.supervision import forms, intake, tunables
from landguard.supervision.models import SourceKind
from landguard.shell.pages import run_service


@public
def public_report(request: HttpRequest) -> HttpResponse:
    """举报 without an account. Shows no data (not even which counties exist): the county is found from the
    point. Limited per client address and hour; a filled honeypot field is accepted silently and dropped."""
    form = forms.PublicReportForm(request.POST or None)
    done = False
    if request.method == "POST" and form.is_valid():
        key = f"landguard:public-report:{client_ip(request)}:{clock.now():%Y%m%d%H}"
        cache.add(key, 0, timeout=3600)
        if cache.incr(key) > int(tunables.get("SUPERVISION_PUBLIC_REPORTS_PER_HOUR")):
            return render(request, "supervision/public_report.html", {"form": form, "limited": True}, status=429)
        d = form.cleaned_data
        if d["website"]:
            done = True
        else:
            county = intake.county_at(None, intake.geo.point(d["lon"], d["lat"]))
            if county is None:
                form.add_error("lon", _("该位置不在本平台受理范围内"))
            else:
                clue = run_service(form, intake.report_clue, actor=None, kind=SourceKind.REPORT, lon=d["lon"],
                                   lat=d["lat"],
                                   title=d["title"], description=d["description"], reporter_name=d["reporter_name"],
                                   reporter_phone=d["reporter_phone"], county=county)
                done = clue is not None
    return render(request, "supervision/public_report.html", {"form": form, "done": done, "limited": False})
