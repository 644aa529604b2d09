"""The server-rendered pages as a bureau user meets them: every list, detail, form and export, seen through
the three personas. (Which routes exist and that none leaks is the access walk's job; these tests check
what the pages say and do.)"""

from __future__ import annotations

import io
import json

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from openpyxl import load_workbook

from landguard.audit.models import AuditEntry
from landguard.people.models import FieldChief, OrgUnit, User
from landguard.regions.models import Region

pytestmark = pytest.mark.django_db

LIST_PAGES = ["regions:list", "people:orgunit-list", "people:user-list", "people:fieldchief-list"]
EXPORTS = ["regions:export", "people:orgunit-export", "people:user-export", "people:fieldchief-export",
           "people:township-export"]


def _workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert ".xlsx" in response["Content-Disposition"]
    return load_workbook(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)).active


@pytest.mark.parametrize("name", ["web:home", "web:map", "web:dashboard", *LIST_PAGES])
def test_shell_pages_name_the_users_scope_in_chinese(client_for, township_officer, name):
    response = client_for(township_officer).get(reverse(name))
    assert response.status_code == 200
    text = response.content.decode()
    assert '<html lang="zh-CN"' in text
    assert "清泉街道" in text  # the scope shown in the navigation


def test_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get(reverse("web:dashboard"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    login = client.get(reverse("login"))
    assert login.status_code == 200 and "登录" in login.content.decode()


def test_login_form_signs_a_demo_persona_in(client):
    from landguard.demo.personas import DEMO_PASSWORD, TOWNSHIP_OFFICER

    response = client.post(reverse("login"), {"username": TOWNSHIP_OFFICER, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("web:home")).status_code == 200
    wrong = Client().post(reverse("login"), {"username": TOWNSHIP_OFFICER, "password": "wrong"})
    assert wrong.status_code == 200 and "用户名或密码不正确" in wrong.content.decode()


def test_htmx_filter_returns_only_the_result_fragment(client_for, county_admin):
    client = client_for(county_admin)
    full = client.get(reverse("regions:list"), {"q": "清泉"})
    fragment = client.get(reverse("regions:list"), {"q": "清泉"}, HTTP_HX_REQUEST="true")
    assert "<html" in full.content.decode()
    body = fragment.content.decode()
    assert "<html" not in body and "清泉街道" in body and "崇文街道" not in body
    assert "HX-Request" in fragment["Vary"]


def test_region_list_paginates(client_for, county_admin):
    client = client_for(county_admin)
    first = client.get(reverse("regions:list"), {"level": 5}).content.decode()
    second = client.get(reverse("regions:list"), {"level": 5, "page": 2}).content.decode()
    assert "page=2" in first
    codes_first = {c for c in Region.objects.filter(code__startswith="371525", level=5).values_list("code", flat=True)
                   if c in first}
    codes_second = {c for c in Region.objects.filter(code__startswith="371525", level=5).values_list("code", flat=True)
                    if c in second}
    assert codes_first and codes_second and not codes_first & codes_second


@pytest.mark.parametrize("name", EXPORTS)
def test_every_table_exports_to_xlsx_with_scope_title_and_header(client_for, county_admin, name):
    sheet = _workbook(client_for(county_admin).get(reverse(name)))
    title = sheet.cell(row=1, column=1).value
    assert "冠县" in title and "北京时间" in title
    header = [c.value for c in sheet[2]]
    assert all(header) and len(header) >= 4
    assert sheet.max_row > 3  # rows follow the header
    assert sheet.freeze_panes == "A3"


def test_region_export_holds_exactly_the_scoped_rows_with_official_areas(client_for, township_officer):
    sheet = _workbook(client_for(township_officer).get(reverse("regions:export")))
    header = [c.value for c in sheet[2]]
    code_col, ha_col, mu_col = header.index("区划代码"), header.index("面积（公顷）"), header.index("面积（亩）")
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    codes = {r[code_col] for r in rows}
    expected = set(
        Region.objects.filter(code__startswith="371525001", retired_in__isnull=True).values_list("code", flat=True))
    assert codes == expected
    township = next(r for r in rows if r[code_col] == "371525001")
    area_m2 = Region.objects.get(code="371525001").area_m2
    assert township[ha_col] == round(area_m2 / 10_000, 4)
    assert township[mu_col] == round(area_m2 * 0.0015, 2)


def test_export_respects_the_current_filter(client_for, county_admin):
    sheet = _workbook(client_for(county_admin).get(reverse("people:fieldchief-export"), {"level": 1}))
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert len(rows) == FieldChief.objects.filter(level=1, region__code__startswith="371525").count() >= 1


def test_editing_an_org_unit_on_the_web_appends_before_and_after_to_its_page(client_for, county_admin):
    client = client_for(county_admin)
    unit = OrgUnit.objects.filter(region__code="371525001", kind=OrgUnit.Kind.TOWNSHIP_OFFICE).first()
    url = reverse("people:orgunit-edit", args=[unit.pk])
    form = client.get(url)
    assert form.status_code == 200
    data = {"name": unit.name, "kind": unit.kind, "region": unit.region_id, "parent": unit.parent_id or "",
            "phone": "0635-5999999"}
    response = client.post(url, data)
    assert response.status_code == 302
    entry = AuditEntry.objects.filter(target_type="people.orgunit", target_id=str(unit.pk)).order_by("-id").first()
    assert entry.actor == county_admin and entry.changes["phone"][1] == "0635-5999999"
    page = client.get(reverse("people:orgunit-detail", args=[unit.pk])).content.decode()
    assert "0635-5999999" in page and county_admin.full_name in page


def test_invalid_form_names_the_field_and_writes_nothing(client_for, county_admin):
    client = client_for(county_admin)
    before = AuditEntry.objects.count()
    response = client.post(reverse("people:orgunit-create"), {"name": "", "kind": "bogus", "region": ""})
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    assert AuditEntry.objects.count() == before


def test_township_officer_cannot_open_management_forms(client_for, township_officer):
    assert not township_officer.can_manage
    client = client_for(township_officer)
    assert client.get(reverse("people:user-create")).status_code == 403
    unit = OrgUnit.objects.filter(region__code="371525001").first()
    assert client.post(reverse("people:orgunit-edit", args=[unit.pk]), {"name": "x"}).status_code == 403


def test_recoded_township_page_shows_its_2023_code(client_for, county_admin):
    page = client_for(county_admin).get(reverse("regions:detail", args=["371525113"])).content.decode()
    assert "万善镇" in page and "371525209" in page and "万善乡" in page
    old = client_for(county_admin).get(reverse("regions:detail", args=["371525209"]))
    assert old.status_code == 200 and "371525113" in old.content.decode()


def test_region_geojson_is_scoped_and_rejects_bad_parameters(client_for, township_officer):
    client = client_for(township_officer)
    data = json.loads(client.get(reverse("web:regions-geojson"), {"level": "village"}).content)
    codes = {f["properties"]["code"] for f in data["features"]}
    assert codes and all(c.startswith("371525001") for c in codes)
    assert client.get(reverse("web:regions-geojson"), {"level": "planet"}).status_code == 400
    assert client.get(reverse("web:regions-geojson"), {"code": "371522001"}).status_code == 404


def test_map_runs_offline_by_default_and_uses_a_configured_base_map(client_for, county_admin):
    client = client_for(county_admin)
    page = client.get(reverse("web:map")).content.decode()
    assert "tianditu.gov.cn" not in page and "离线" in page
    with override_settings(TIANDITU_KEY="abc123"):
        page = client.get(reverse("web:map")).content.decode()
    assert '"tianditu_key": "abc123"' in page and "天地图" in page
    with override_settings(TIANDITU_KEY="", BASEMAP_TILE_URL="https://tiles.bureau.local/{z}/{x}/{y}.png"):
        page = client.get(reverse("web:map")).content.decode()
    assert "tiles.bureau.local" in page and "本地瓦片" in page


def test_dashboard_embeds_chart_data_for_the_scope_only(client_for, other_county_user):
    page = client_for(other_county_user).get(reverse("web:dashboard")).content.decode()
    assert "莘县" in page and "清泉街道" not in page
    assert 'data-chart="coverage"' in page and "echarts.min.js" in page


def test_user_detail_shows_the_field_chief_post_and_history(client_for, county_admin):
    chief = FieldChief.objects.filter(level=2, region__code__startswith="371525").select_related("user").first()
    page = client_for(county_admin).get(reverse("people:user-detail", args=[chief.user_id])).content.decode()
    assert chief.user.full_name in page and chief.region.name in page
    user = User.objects.get(pk=chief.user_id)
    assert user.is_synthetic and "合成" in page
