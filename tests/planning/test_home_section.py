"""The township's 考核 view is a section of the home (shell.homes): a township viewer gets the township's indicators
(target, current, gap, status, deadline); a county viewer each township's statuses; another county's viewer, whose
county has no plan, nothing (None). The fragment renders those values."""

from __future__ import annotations

from django.template.loader import render_to_string

from landguard.core.scope import scope_for
from landguard.planning import extensions
from landguard.planning.models import IndicatorKind
from landguard.shell import homes


def _viewer(user) -> homes.Viewer:
    return homes.Viewer(scope=scope_for(user), role=user.role, user_id=user.pk)


def test_a_township_viewer_gets_the_townships_indicators_rendered(township_officer):
    section = homes.SECTIONS.get("planning.township_indicators") if hasattr(homes.SECTIONS, "get") else None
    context = extensions.home_context(_viewer(township_officer))
    assert context is not None
    codes = {r.township.code for r in context["rows"]}
    assert codes == {"371525001"}
    assert {r.indicator.kind for r in context["rows"]} == set(IndicatorKind.values)
    html = render_to_string("planning/_home_section.html", {"section": context})
    farmland = next(r for r in context["rows"] if r.indicator.kind == IndicatorKind.FARMLAND)
    assert "耕地保有量" in html and farmland.status_label in html and f"{farmland.target:,.4f}".replace(",", "") in \
        html.replace(",", "")
    assert section is None or section.key == "planning.township_indicators"


def test_a_county_viewer_gets_each_townships_statuses_and_another_county_nothing(county_admin, other_county_user):
    context = extensions.home_context(_viewer(county_admin))
    assert context is not None and len(context["summary"]) == 18
    html = render_to_string("planning/_home_section.html", {"section": context})
    assert "清泉街道" in html and "逾期未分解布局" in html
    assert extensions.home_context(_viewer(other_county_user)) is None


def test_the_section_is_registered_for_the_bureau_roles(township_officer):
    shown = [s.section.key for s in homes.sections(_viewer(township_officer))]
    assert "planning.township_indicators" in shown
    field_chief = homes.Viewer(scope=scope_for(township_officer), role=homes.FIELD_CHIEF, user_id=None)
    assert "planning.township_indicators" not in [s.section.key for s in homes.sections(field_chief)]
