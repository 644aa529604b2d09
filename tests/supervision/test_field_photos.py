"""Evidence photos shown as photos: thumbnails and a bounded large view, made once and cached under var/, served
only to those who may see the task; the pages show them instead of the 64-character hash. And the field app's
service worker script, the same for everyone."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.test import override_settings
from PIL import Image

from landguard.core import clock
from landguard.people.models import User
from landguard.supervision import cases, intake, verification

pytestmark = pytest.mark.django_db


def jpeg(width: int = 2000, height: int = 1500) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (90, 150, 70)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def task(spot, county, county_admin):
    clue = intake.report_clue(actor=None, kind="report", lon=spot[0], lat=spot[1], title="举报：耕地上建房",
                              county=county)
    return verification.dispatch(actor=county_admin, clue=clue, reason="疑似占用耕地")


def photo_of(task, user, data: bytes, *, send: bool = True):
    photo = verification.start_photo(actor=user, task=task, kind="site", name="site.jpg",
                                     sha256=hashlib.sha256(data).hexdigest(), size=len(data), taken_at=clock.now())
    if send:
        photo = verification.append_chunk(actor=user, photo=photo, offset=0, data=data).photo
    return photo


def test_a_thumbnail_is_bounded_cached_under_var_and_served_only_within_scope(client, task, county_admin, tmp_path):
    photo = photo_of(task, county_admin, jpeg())
    base = f"/supervision/field/tasks/{task.pk}/photos/{photo.pk}"
    with override_settings(VAR_DIR=tmp_path):
        client.force_login(county_admin)
        for size, edge in (("thumb", 320), ("large", 1600)):
            answer = client.get(f"{base}/{size}/")
            assert answer.status_code == 200 and answer["Content-Type"] == "image/jpeg"
            with Image.open(io.BytesIO(b"".join(answer.streaming_content))) as image:
                assert max(image.size) == edge and image.size == (edge, edge * 3 // 4)
        cached = list((tmp_path / "thumbs").rglob(f"{photo.sha256}-320.jpg"))
        assert len(cached) == 1
        cached[0].write_bytes(jpeg(10, 10))  # made once: a second request serves the cached file
        with Image.open(io.BytesIO(b"".join(client.get(f"{base}/thumb/").streaming_content))) as image:
            assert image.size == (10, 10)
        client.force_login(User.objects.get(username="shenxian_admin"))  # another county
        assert client.get(f"{base}/thumb/").status_code == 404


def test_a_photo_still_uploading_or_unreadable_shows_a_placeholder(client, task, county_admin, tmp_path):
    waiting = photo_of(task, county_admin, jpeg(), send=False)
    broken = photo_of(task, county_admin, b"not a jpeg at all")
    client.force_login(county_admin)
    with override_settings(VAR_DIR=tmp_path):
        for photo in (waiting, broken):
            answer = client.get(f"/supervision/field/tasks/{task.pk}/photos/{photo.pk}/thumb/")
            assert answer.status_code == 200 and answer["Content-Type"] == "image/svg+xml"


def test_task_clue_and_case_pages_show_thumbnails_not_hashes(client, task, county_admin, tmp_path):
    photo = photo_of(task, county_admin, jpeg(400, 300))
    case = cases.open_case(actor=county_admin, clue=task.clue, number="冠自然资罚〔2025〕1号", party="张某")
    client.force_login(county_admin)
    thumb = f"/supervision/field/tasks/{task.pk}/photos/{photo.pk}/thumb/"
    for url in (f"/supervision/tasks/{task.pk}/", f"/supervision/clues/{task.clue_id}/",
                f"/supervision/cases/{case.pk}/", f"/supervision/field/tasks/{task.pk}/"):
        page = client.get(url).content.decode()
        assert thumb in page, url
        assert photo.sha256 not in page, url
        assert "data-lightbox-dialog" in page, url


def test_the_service_worker_is_one_public_script_scoped_to_the_field_pages(client):
    answer = client.get("/supervision/field/sw.js")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/javascript")
    assert answer["Service-Worker-Allowed"] == "/supervision/field/"
    body = answer.content.decode()
    assert "const SCOPE = '/supervision/field/'" in body and "request.method !== 'GET'" in body
