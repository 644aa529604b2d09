"""The search of the top bar (web:search): one group per app that found something, read through its selectors, so
another county's or township's records never appear; capped with a link to the app's filtered list."""

from __future__ import annotations

import pytest
from django.urls import reverse

from landguard.projects import services
from landguard.projects.models import Project
from landguard.regions.models import Region
from landguard.shell import search

pytestmark = pytest.mark.django_db


def _township(prefix: str) -> Region:
    return Region.objects.filter(code__startswith=prefix, level=4, retired_in__isnull=True).order_by("code").first()


@pytest.fixture
def namesakes(county_admin, other_county_user):
    """Two projects of the same name: one in 清泉街道 (冠县), one in a 莘县 township."""
    ours = services.create_project(actor=county_admin, name="搜索测试物流园项目", level=Project.Level.COUNTY,
                                   region=Region.objects.get(code="371525001", retired_in__isnull=True))
    theirs = services.create_project(actor=other_county_user, name="搜索测试物流园项目", level=Project.Level.COUNTY,
                                     region=_township("371522"))
    return ours, theirs


def _page(client, query: str) -> str:
    response = client.get(reverse("web:search"), {"q": query})
    assert response.status_code == 200
    return response.content.decode()


def test_another_countys_project_never_appears(client_for, county_admin, other_county_user, township_officer,
                                               namesakes):
    ours, theirs = namesakes
    cases = ((county_admin, ours, theirs), (township_officer, ours, theirs), (other_county_user, theirs, ours))
    for user, shown, hidden in cases:
        page = _page(client_for(user), "搜索测试物流园")
        assert f'href="{reverse("projects:detail", args=[shown.pk])}"' in page, user
        assert f'href="{reverse("projects:detail", args=[hidden.pk])}"' not in page, user


def test_a_township_officer_finds_only_their_townships_regions(client_for, township_officer):
    page = _page(client_for(township_officer), "371525")
    assert 'data-search-group="regions.regions"' in page
    assert 'href="/regions/371525001/"' in page
    assert "/regions/371525113/" not in page and "万善镇" not in page


def test_groups_are_capped_with_a_link_to_the_filtered_list(client_for, county_admin):
    page = _page(client_for(county_admin), "3715250")  # the villages of 冠县's townships: far more than a group shows
    group = page[page.index('data-search-group="regions.regions"'):]
    group = group[:group.index("</section>")]
    assert group.count("<li>") == search.LIMIT
    assert f'href="{reverse("regions:list")}?q=3715250"' in group and "查看全部" in group


def test_each_app_answers_what_its_list_filter_finds(client_for, county_admin):
    client = client_for(county_admin)
    assert 'data-search-group="layers.layers"' in _page(client, "地类图斑")
    assert 'data-search-group="people.users"' in _page(client, "guanxian")
    assert 'data-search-group="projects.projects"' in _page(client, "冠县第二中学")


def test_an_empty_or_unknown_query_finds_nothing_and_says_so(client_for, county_admin):
    client = client_for(county_admin)
    assert "data-search-group" not in _page(client, "   ") and "输入名称或代码" in _page(client, "")
    page = _page(client, "并不存在的名字")
    assert "data-search-empty" in page and "data-search-group" not in page


def test_the_search_box_is_in_the_top_bar_of_every_page(client_for, township_officer):
    page = client_for(township_officer).get(reverse("web:home")).content.decode()
    assert f'action="{reverse("web:search")}"' in page and 'name="q"' in page


def test_tasks_enterprises_and_parcels_are_found_by_number_or_name_within_the_scope(county_admin, other_county_user,
                                                                                   township_officer):
    from landguard.core.scope import scope_for
    from landguard.layers.models import Feature, LayerKind
    from landguard.supervision import intake, verification

    township = Region.objects.get(code="371525001", retired_in__isnull=True)
    x, y = township.geom.point_on_surface.coords
    clue = intake.report_clue(actor=None, kind="report", lon=x, lat=y, title="搜索测试挖土", county=township.parent)
    task = verification.dispatch(actor=county_admin, clue=clue)
    import datetime as dt
    from landguard.projects.models import ServiceRequest
    services.create_service_request(actor=county_admin, enterprise="搜索测试纸业有限公司",
                                    kind=ServiceRequest.Kind.values[0], request="用地咨询", commissioner=county_admin,
                                    received_on=dt.date(2025, 6, 2), region=township)
    parcel = Feature.objects.filter(version__is_current=True, version__layer__kind=LayerKind.DLTB,
                                    region_code__startswith="371525001").exclude(fid="").first()

    def found(user, query: str, key: str) -> list[str]:
        groups = {g.provider.key: g for g in search.search(scope_for(user), query)}
        return [h.label for h in groups[key].hits] if key in groups else []

    assert found(county_admin, task.number.lower(), "supervision.tasks") == [task.number]
    assert found(county_admin, "搜索测试挖土", "supervision.tasks") == [task.number]
    assert found(other_county_user, task.number, "supervision.tasks") == []
    assert found(township_officer, "搜索测试纸业", "projects.requests") == ["搜索测试纸业有限公司"]
    assert found(other_county_user, "搜索测试纸业", "projects.requests") == []
    assert found(township_officer, parcel.fid, "layers.parcels") == [parcel.fid]
    assert found(other_county_user, parcel.fid, "layers.parcels") == []
