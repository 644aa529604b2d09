"""The demo reproduces 冠县's published approval figures from its parcels (issue 12, seed 001): 2021 — 17 批次, 1
单独选址
and 2 city-approved conversions, 1,707.8945 亩, against 2020's 8 批次, 596.151 亩, with 上报比例 and 批复比例 100 % of
the 1,096.996 亩 issued — computed from official areas, shown on the summary page and in the API as the report
states them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from landguard.approvals import selectors
from landguard.approvals.models import Dossier
from landguard.core.scope import scope_for
from landguard.quotas import selectors as quota_selectors

pytestmark = pytest.mark.django_db


def _guanxian(year: int, user):
    (row,) = [r for r in selectors.year_figures(scope_for(user), year) if r.region_code == "371525"]
    return row


def test_guanxian_2021_and_2020_approvals_read_as_the_report_states_them(county_admin):
    y2021, y2020 = _guanxian(2021, county_admin), _guanxian(2020, county_admin)
    assert dict(y2021.approved) == {Dossier.Kind.BATCH: 17, Dossier.Kind.SEPARATE_SITE: 1,
                                    Dossier.Kind.CITY_PROJECT: 2}
    assert y2021.approved_mu_exact(4) == 1707.8945
    assert dict(y2020.approved) == {Dossier.Kind.BATCH: 8}
    assert y2020.approved_mu_exact(3) == 596.151


def test_guanxian_2021_used_the_whole_issued_quota_reported_and_approved(county_admin):
    (row,) = [r for r in quota_selectors.report(scope_for(county_admin), 2021) if r.region.code == "371525"]
    assert float(row.figures.issued) == pytest.approx(1096.996)
    assert row.figures.reported_ratio == 100.0 and row.figures.approved_ratio == 100.0


def test_the_summary_page_and_api_show_the_figures(client_for, county_admin):
    client = client_for(county_admin)
    page = client.get(reverse("approvals:summary"), {"year": 2021}).content.decode()
    assert "1,707.8945" in page and "596.1510" in page and "100.0%" in page
    answer = client.get(reverse("api:approvals-summary"), {"year": 2021}).json()
    (guanxian,) = [r for r in answer if r["region_code"] == "371525"]
    assert guanxian["approved_mu"] == 1707.8945 and guanxian["approved_count"] == 20


def test_every_demo_dossier_passed_its_checks_and_lies_on_free_land(county_admin):
    scope = scope_for(county_admin)
    for dossier in selectors.dossiers(scope).filter(is_synthetic=True):
        assert dossier.status == Dossier.Status.APPROVED
        assert not selectors.overlaps(dossier) or dossier.kind == Dossier.Kind.CITY_PROJECT
