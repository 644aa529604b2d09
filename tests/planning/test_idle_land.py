"""The rural idle-land ledger (闲散土地): "idle rural land by village" is one filtered table — the township, village,
status and reuse filters narrow the same rows the xlsx exports, with totals in 亩 and 万亩 and the number of villages
and townships; areas are ellipsoidal for a drawn boundary and the entered figure otherwise; an xlsx ledger in the
bureau's columns is imported whole or, with a bad row, not at all (each bad row named)."""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import openpyxl
import pytest
import shapely
from django.core.exceptions import ValidationError

from landguard.core.geodesy import SQM_PER_MU, ellipsoidal_area_m2
from landguard.core.scope import RegionScope
from landguard.planning import imports, selectors, services
from landguard.planning.models import AreaSource, CurrentUse, IdleParcel, IdleStatus, PlannedReuse
from landguard.regions.models import Level, Region

ON = dt.date(2025, 3, 1)


def _villages(township_code: str, n: int) -> list[Region]:
    return list(Region.objects.filter(parent__code=township_code, level=Level.VILLAGE, retired_in__isnull=True)
                .order_by("code")[:n])


@pytest.fixture
def ledger(db, county_admin):
    IdleParcel.objects.all().delete()
    a, b = _villages("371525001", 2), _villages("371525113", 1)
    made = []
    for village, mu, status, reuse in ((a[0], "10", IdleStatus.IDENTIFIED, PlannedReuse.FARMLAND),
                                       (a[0], "5.5", IdleStatus.REUSED, PlannedReuse.FARMLAND),
                                       (a[1], "20", IdleStatus.IDENTIFIED, PlannedReuse.ECOLOGY),
                                       (b[0], "7", IdleStatus.IDENTIFIED, PlannedReuse.FARMLAND)):
        made.append(services.create_idle_parcel(
            actor=county_admin, village=village, name=f"{village.name}测试地块", current_use=CurrentUse.VACANT,
            planned_reuse=reuse, status=status, identified_on=ON, area_mu=mu))
    return {"qingquan": a, "wanshan": b, "parcels": made}


def test_a_drawn_parcel_has_its_ellipsoidal_area_and_an_entered_one_its_figure(county_admin):
    village = _villages("371525001", 1)[0]
    x, y = shapely.get_coordinates(shapely.point_on_surface(shapely.from_wkb(bytes(village.geom.wkb))))[0]
    square = shapely.box(x - 0.001, y - 0.001, x + 0.001, y + 0.001)
    drawn = services.create_idle_parcel(actor=county_admin, village=village, name="绘制地块",
                                        current_use=CurrentUse.POND, planned_reuse=PlannedReuse.FARMLAND,
                                        identified_on=ON, boundary=square, area_mu="999")
    assert drawn.area_source == AreaSource.DRAWN
    assert drawn.area_m2 == pytest.approx(float(ellipsoidal_area_m2(np.array([square], dtype=object))[0]))
    entered = services.create_idle_parcel(actor=county_admin, village=village, name="填报地块",
                                          current_use=CurrentUse.POND, planned_reuse=PlannedReuse.FARMLAND,
                                          identified_on=ON, area_mu="12.5")
    assert (entered.area_source, entered.area_m2) == (AreaSource.ENTERED, pytest.approx(12.5 * SQM_PER_MU))
    with pytest.raises(ValidationError):
        services.create_idle_parcel(actor=county_admin, village=village, name="无面积", current_use=CurrentUse.POND,
                                    planned_reuse=PlannedReuse.FARMLAND, identified_on=ON)


def test_idle_land_by_village_is_one_filtered_table_with_totals_and_its_xlsx(ledger, client_for, county_admin):
    client = client_for(county_admin)
    query = "?township=371525001&status=identified&planned_reuse=farmland"
    page = client.get("/planning/idle/" + query).content.decode()
    village = ledger["qingquan"][0]
    assert page.count("测试地块") == 1 and village.name in page
    assert "合计 1 宗 10.00 亩（0.0010 万亩），分布在 1 个乡镇（街道）的 1 个村（社区）" in page
    everything = client.get("/planning/idle/?status=identified").content.decode()
    assert "合计 3 宗 37.00 亩（0.0037 万亩），分布在 2 个乡镇（街道）的 3 个村（社区）" in everything
    totals = selectors.idle_totals(IdleParcel.objects.filter(status=IdleStatus.IDENTIFIED))
    assert (totals.parcels, totals.mu, totals.villages, totals.townships) == (3, 37.0, 3, 2)
    book = openpyxl.load_workbook(io.BytesIO(client.get("/planning/idle/export.xlsx" + query).content))
    cells = [[c for c in row] for row in book.active.iter_rows(values_only=True)]
    names = [v for row in cells for v in row if isinstance(v, str) and v.endswith("测试地块")]
    assert names == [f"{village.name}测试地块"]
    assert any(10.0 in row for row in cells)


def test_a_township_officer_sees_only_the_townships_parcels(ledger, client_for, township_officer):
    page = client_for(township_officer).get("/planning/idle/").content.decode()
    assert ledger["qingquan"][0].name in page and ledger["wanshan"][0].name + "测试地块" not in page
    assert client_for(township_officer).get(f"/planning/idle/{ledger['parcels'][3].pk}/").status_code == 404


def _xlsx(rows: list[list]) -> io.BytesIO:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(imports.HEADERS)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def test_an_xlsx_ledger_is_imported_whole_or_with_bad_rows_named_not_at_all(ledger, county_admin, tmp_path):
    v = ledger["qingquan"][0]
    good = [[1, v.parent.name, v.name, "甲地块", 3.5, "空闲地", "复垦为耕地", "已指认", "2025-01-02", ""],
            [2, "", v.code, "乙地块", "4", "边角地", "设施农业", "", "", "备注"]]
    bad = good + [[3, v.parent.name, "不存在村", "丙地块", "x", "空闲地", "造林", "已指认", "2025-01-02", ""]]
    before = IdleParcel.objects.count()
    path = tmp_path / "bad.xlsx"
    path.write_bytes(_xlsx(bad).getvalue())
    with pytest.raises(imports.IdleImportError) as refused:
        imports.import_idle_parcels(actor=county_admin, scope=RegionScope(prefixes=("371525",)),
                                    path=path, today=dt.date(2025, 6, 1))
    text = "\n".join(refused.value.messages)
    assert "第 4 行" in text and "不存在村" in text and "面积（亩）" in text and "拟利用方向" in text
    assert IdleParcel.objects.count() == before
    path.write_bytes(_xlsx(good).getvalue())
    made = imports.import_idle_parcels(actor=county_admin, scope=RegionScope(prefixes=("371525",)),
                                       path=path, today=dt.date(2025, 6, 1))
    assert [(p.name, p.area_source, round(p.area_m2 / SQM_PER_MU, 4)) for p in made] == [
        ("甲地块", AreaSource.ENTERED, 3.5), ("乙地块", AreaSource.ENTERED, 4.0)]
    assert made[1].status == IdleStatus.IDENTIFIED and made[1].planned_reuse == PlannedReuse.FACILITY


def test_the_import_page_names_bad_rows(ledger, client_for, county_admin):
    v = ledger["qingquan"][0]
    upload = _xlsx([[1, "", v.name, "", 1, "空闲地", "复垦为耕地", "", "", ""]])
    upload.name = "ledger.xlsx"
    response = client_for(county_admin).post("/planning/idle/import/", {"file": upload})
    assert response.status_code == 400 and "第 2 行" in response.content.decode()
