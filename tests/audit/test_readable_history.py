"""The audit history reads as people write (landguard.audit.rendering), in Chinese and in English: choice labels,
Beijing times, geometry summaries with their 亩, dicts as labelled lines, notes in the reader's language."""

from __future__ import annotations

import pytest
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy

from landguard.audit import notes, rendering
from landguard.audit import services as audit
from landguard.audit.models import AuditEntry
from landguard.core.geodesy import SQM_PER_MU
from landguard.projects.models import Project
from landguard.supervision.models import Clue, Task

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _language_restored():
    """LocaleMiddleware activates a page's language for the thread and never resets it: no English leaks out."""
    previous = translation.get_language()
    translation.activate("zh-hans")  # whatever an earlier test's page left active
    yield
    if previous:
        translation.activate(previous)
    else:
        translation.deactivate()


def _rows(changes: dict, model) -> list[tuple[str, str, str]]:
    return rendering.change_rows(AuditEntry(changes=changes), model)


def test_choice_codes_read_as_labels_in_both_languages():
    changes = {"status": ["reported (已签收上报)", "dispatched"], "level": [None, "county (县重点项目)"]}
    with translation.override("zh-hans"):
        (_l, before, after), = _rows({"status": changes["status"]}, Task)
        assert (before, after) == ("已签收上报", "已派发")
        (_l, _b, level), = _rows({"level": changes["level"]}, Project)
        assert level == "县重点项目"
    with translation.override("en"):
        (label, before, after), = _rows({"status": changes["status"]}, Task)
        assert (before, after) == (str(Task.Status.REPORTED.label), str(Task.Status.DISPATCHED.label))
        assert after != "dispatched" and after.isascii()
        assert label == str(Task._meta.get_field("status").verbose_name)


def test_an_empty_choice_and_unknown_model_values_read_without_codes():
    assert rendering.value_text(rendering.choice_label(None, "x", " ()")) == "—"
    assert rendering.value_text(rendering.choice_label(None, "level", "county (县重点项目)")) == "县重点项目"


def test_utc_iso_times_read_as_beijing_time():
    with translation.override("zh-hans"):
        assert rendering.value_text("2026-12-06T13:46:18.745367+00:00") == "2026-12-06 21:46"
        assert rendering.value_text("2027-03-05T01:38:47.939730+08:00") == "2027-03-05 01:38"


def test_a_geometry_is_stored_as_a_summary_and_reads_as_parts_and_mu():
    square = Polygon(((115.5, 36.5), (115.501, 36.5), (115.501, 36.501), (115.5, 36.501), (115.5, 36.5)), srid=4490)
    other = Polygon(((115.6, 36.5), (115.601, 36.5), (115.601, 36.501), (115.6, 36.501), (115.6, 36.5)), srid=4490)
    stored = audit.geometry_summary(MultiPolygon(square, other, srid=4490))
    summary = stored["geometry"]
    assert summary["parts"] == 2 and 19000 < summary["area_m2"] < 21000
    with translation.override("zh-hans"):
        text = rendering.value_text(stored)
        assert text == f"面状 2 个，{summary['area_m2'] / SQM_PER_MU:,.2f} 亩"
    with translation.override("en"):
        text = rendering.value_text(stored)
        assert "2" in text and "mu" in text and "面" not in text and "亩" not in text
    point = rendering.value_text(audit.geometry_summary(Point(115.43949, 36.50787, srid=4490)))
    assert "115.43949, 36.50787" in point


def test_fingerprints_written_before_read_as_words():
    with translation.override("zh-hans"):
        assert rendering.value_text("MultiPolygon, 156 vertices, extent (115.41943, 36.56031, 115.44071, 36.58258)") \
            == "面状，156 个顶点"


def test_a_dict_reads_as_labelled_values_not_python():
    with translation.override("zh-hans"):
        text = rendering.value_text({"radius_m": 30.0, "farmland_net_m2": 2779.34,
                                     "controls": {"冠县永久基本农田": 0.0}})
    assert "{" not in text and "radius_m" not in text and "'" not in text
    assert "核查半径（米）：30" in text and "2,779.34" in text


def test_notes_render_in_the_readers_language_and_old_constant_notes_translate(county_admin):
    clue = Clue.objects.first()
    with translation.override("en"):  # written by an English-speaking user: stored as the Chinese msgid
        entry = audit.record(actor=county_admin, action="update", target=clue, region_code=clue.region_code,
                             note=notes.Note(gettext_lazy("超时升级：%(names)s"), {"names": "张三"}))
    assert entry.note == "超时升级：张三" and entry.note_msgid == "超时升级：%(names)s"
    with translation.override("en"):
        assert rendering.note_text(entry) != entry.note and "张三" in rendering.note_text(entry)
    with translation.override("zh-hans"):
        assert rendering.note_text(entry) == "超时升级：张三"
    old = AuditEntry(note="研判为有效")  # a row written before notes kept their msgid
    with translation.override("en"):
        assert rendering.note_text(old) != "研判为有效" and rendering.note_text(old).isascii()
    typed = AuditEntry(note="村东头（演示）")
    with translation.override("en"):
        assert rendering.note_text(typed) == "村东头（演示）"


def test_the_task_page_history_shows_labels_local_times_and_no_codes(client_for, county_admin):
    task = Task.objects.filter(events__action="check_in").first()
    client = client_for(county_admin)
    page = client.get(reverse("supervision:task-detail", args=[task.pk])).content.decode()
    for code in (">dispatch<", ">check_in<", ">photo_ack<", "+00:00", "vertices", "{'", "object ("):
        assert code not in page, code
    assert "到场签到" in page and "派发" in page
    client.cookies["django_language"] = "en"
    english = client.get(reverse("supervision:task-detail", args=[task.pk])).content.decode()
    assert "推送：" not in english and "距线索" not in english
    assert ">check_in<" not in english and "object (" not in english


def test_note_parameters_that_json_cannot_hold_are_kept_as_text():
    from decimal import Decimal

    note = notes.Note(gettext_lazy("导入 %(count)s 个地区，合计 %(cases)s 件、%(area)s 万亩"),
                      {"count": 2, "cases": 29, "area": Decimal("1.2500")})
    sentence, msgid, params = notes.stored(note)
    assert params == {"count": 2, "cases": 29, "area": "1.2500"}
    assert sentence == "导入 2 个地区，合计 29 件、1.2500 万亩" and msgid.startswith("导入 %(count)s")
