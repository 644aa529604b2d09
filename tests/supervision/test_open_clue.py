"""One way to open a clue (issue 11): every source — camera alarm, 卫片 patch, staff report or 12345 call, patrol
finding — goes through intake.open_clue, each new clue with one audit entry, and the severity rule is written
once (intake.severity_for)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import shapely
from shapely.geometry import mapping

from landguard.audit.models import AuditEntry
from landguard.core import clock
from landguard.people.models import User
from landguard.supervision import intake, patches, patrols
from landguard.supervision.models import Severity

pytestmark = pytest.mark.django_db

ALARM_AT = dt.datetime(2025, 6, 1, 2, 15, tzinfo=dt.timezone.utc)  # the `alarm` fixture's time


@pytest.mark.parametrize("basic, redline, severity", [
    (True, None, Severity.SERIOUS), (None, True, Severity.SERIOUS), (True, True, Severity.SERIOUS),
    (False, False, Severity.NORMAL), (None, None, Severity.NORMAL), (False, None, Severity.NORMAL),
])
def test_the_severity_rule(basic, redline, severity):
    assert intake.severity_for(touches_basic_farmland=basic, touches_eco_redline=redline) == severity
    assert intake.Enrichment(touches_basic_farmland=basic, touches_eco_redline=redline).severity == severity


def test_every_source_opens_its_clue_through_open_clue_with_one_audit_entry(monkeypatch, tmp_path, post_alarm, alarm,
                                                                          spot, village, county, county_admin):
    opened: list[tuple[str, int]] = []
    original = intake.open_clue

    def spy(**kwargs):
        clue = original(**kwargs)
        opened.append((kwargs["detection"].kind, clue.pk))
        return clue

    monkeypatch.setattr(intake, "open_clue", spy)
    # A camera alarm, through the HTTP API.
    assert post_alarm(alarm("E-OPEN")).status_code == 201
    # A 卫片 patch ~900 m east of the camera target: too far to join its clue.
    x, y = spot[0] + 0.01, spot[1]
    path = tmp_path / "batch.geojson"
    feature = {"type": "Feature", "properties": {"JCBH": "O001", "SFHX": "是"},
               "geometry": mapping(shapely.box(x - 0.0004, y - 0.0004, x + 0.0004, y + 0.0004))}
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), encoding="utf-8")
    batch = patches.import_batch(path, actor=county_admin, county=county, name="统一入口", month=dt.date(2025, 6, 1))
    # A 12345 call entered by staff, and a patrol finding, each outside the fusion window of the others.
    with clock.frozen(ALARM_AT + dt.timedelta(hours=10)):
        intake.report_clue(actor=county_admin, kind="hotline", lon=spot[0], lat=spot[1], title="12345：耕地上建房")
    chief = User.objects.get(username=f"chief_{village.code}")
    with clock.frozen(ALARM_AT + dt.timedelta(hours=20)):
        patrol = patrols.start(actor=chief, lon=spot[0], lat=spot[1])
        patrols.finish(actor=chief, patrol=patrol, findings="地里在打地基", finding_at=(spot[0], spot[1]))

    assert [kind for kind, _pk in opened] == ["camera", "satellite", "hotline", "patrol"]
    assert len({pk for _kind, pk in opened}) == 4  # four clues, none fused
    for _kind, pk in opened:
        created = AuditEntry.objects.filter(target_type="supervision.clue", target_id=str(pk), action="create")
        assert created.count() == 1
    assert batch.patches.get().clue.severity == Severity.SERIOUS  # SFHX 是: 生态保护红线
