"""The field app's photo start takes the time the photo was taken: an offset no database stores is a 400
naming the field (PostgreSQL answered "time zone displacement out of range", a 500)."""

from __future__ import annotations

import hashlib

import pytest

from landguard.supervision import intake, verification
from landguard.supervision.models import Photo

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("taken_at, status", [("2025-06-01T10:00:00+19:47", 400), ("0001-01-01T00:00:00+08:00", 400),
                                              ("2025-06-01T10:00:00+14:00", 201), ("2025-06-01T10:00:00", 201)])
def test_photo_start_refuses_times_no_database_can_store(client_for, township_officer, county_admin, spot, county,
                                                        taken_at, status):
    clue = intake.report_clue(actor=None, kind="report", lon=spot[0], lat=spot[1], title="举报", county=county)
    task = verification.dispatch(actor=county_admin, clue=clue)
    verification.report(actor=township_officer, task=task)
    client = client_for(township_officer)
    client.post(f"/supervision/field/tasks/{task.pk}/checkin/", {"lon": spot[0], "lat": spot[1], "accuracy": 5})
    data = b"\xff\xd8" + bytes(100)
    response = client.post(f"/supervision/field/tasks/{task.pk}/photos/", {
        "kind": "site", "name": "a.jpg", "size": len(data), "sha256": hashlib.sha256(data).hexdigest(),
        "taken_at": taken_at, "lon": spot[0], "lat": spot[1]})
    assert response.status_code == status, response.content
    if status == 400:
        assert "taken_at" in response.json()["error"]
        assert not Photo.objects.filter(task=task).exists()
