"""ID numbers done right: GB 11643 validation (length, birth date, check digit), the keyed HMAC that finds the same
person again, the AES-GCM ciphertext that is not the number and opens only with its key, the masked display, and the
full number shown only to holders of citizens.view_full_id — each view audited, everyone else refused."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.test import override_settings
from django.urls import reverse
from openpyxl import load_workbook

from citizens.helpers import make_id
from landguard.audit.models import AuditEntry
from landguard.citizens import idnumbers, services
from landguard.citizens.models import Matter, Person, Registration
from landguard.regions.models import Region

pytestmark = pytest.mark.django_db
UNIT = "371525001001GB00001F00010001"


def test_a_known_valid_number_passes_and_a_wrong_check_digit_is_refused():
    # 11010519491231002X is the standard's own worked example (GB 11643-1999, appendix).
    assert idnumbers.validate("11010519491231002x") == "11010519491231002X"
    with pytest.raises(ValidationError) as error:
        idnumbers.validate("110105194912310021")
    assert "校验位" in error.value.messages[0]
    assert "110105194912310021" not in error.value.messages[0]


@pytest.mark.parametrize("raw", ["", "1234", "11010519491231002X1", "010105194912310021", "11010519491331002X",
                                 "1101051949123100AX"])
def test_malformed_numbers_are_refused(raw):
    with pytest.raises(ValidationError):
        idnumbers.validate(raw)


def test_masked_display_keeps_four_and_four():
    assert idnumbers.mask("37152519800101123X") == "3715**********123X"
    number = idnumbers.IdNumber.parse(make_id())
    assert number.value not in f"{number} {number!r}"


def test_hmac_lookup_finds_the_same_person_and_is_keyed():
    raw = make_id(seq=7)
    first = services.person_for(raw, "张三")
    again = services.person_for(raw.lower(), "")
    assert again.pk == first.pk and services.find_person(raw).pk == first.pk
    assert raw not in first.id_lookup
    with override_settings(LANDGUARD_ID_HMAC_KEY="another-key"):
        assert idnumbers.lookup_hash(raw) != first.id_lookup


def test_ciphertext_is_not_the_number_and_decrypts_only_with_its_key():
    raw = make_id(seq=8)
    person = services.person_for(raw, "李四")
    stored = Person.objects.values_list("id_cipher", "id_masked", "id_lookup").get(pk=person.pk)
    assert all(raw not in value and raw[6:14] not in value for value in stored[:1])
    assert idnumbers.decrypt(person.id_cipher) == raw
    assert idnumbers.encrypt(raw) != person.id_cipher  # a fresh nonce each time
    with override_settings(LANDGUARD_ID_ENCRYPTION_KEY="not-the-key"), pytest.raises(ValueError):
        idnumbers.decrypt(person.id_cipher)
    tampered = person.id_cipher[:-4] + ("AAAA" if not person.id_cipher.endswith("AAAA") else "BBBB")
    with pytest.raises(ValueError):
        idnumbers.decrypt(tampered)


def test_a_missing_key_stops_the_process():
    with override_settings(LANDGUARD_ID_HMAC_KEY=""), pytest.raises(ImproperlyConfigured):
        idnumbers.lookup_hash(make_id())


def _matter(actor) -> tuple[Matter, Person]:
    township = Region.objects.get(code="371525001", retired_in__isnull=True)
    matter = services.create_registration(actor=actor, region=township, reg_kind=Registration.RegKind.FIRST,
                                          unit_no=UNIT, holders=[(make_id(seq=21), "王五")])
    return matter, matter.applicant


def test_full_number_only_with_the_permission_and_each_view_audited(county_admin, township_officer):
    matter, person = _matter(county_admin)
    with pytest.raises(PermissionDenied):
        services.reveal_id(actor=township_officer, matter=matter, person=person)
    township_officer.user_permissions.add(Permission.objects.get(codename="view_full_id"))
    township_officer = type(township_officer).objects.get(pk=township_officer.pk)  # a fresh permission cache
    before = AuditEntry.objects.filter(action=AuditEntry.Action.VIEW).count()
    assert services.reveal_id(actor=township_officer, matter=matter, person=person) == make_id(seq=21)
    services.reveal_id(actor=township_officer, matter=matter, person=person)
    views = AuditEntry.objects.filter(action=AuditEntry.Action.VIEW, target_id=str(matter.pk))
    assert views.count() == before + 2
    assert all(make_id(seq=21) not in e.note and person.id_masked in e.note for e in views)


def test_the_full_number_is_refused_outside_the_scope(county_admin, other_county_user):
    matter, person = _matter(county_admin)
    other_county_user.user_permissions.add(Permission.objects.get(codename="view_full_id"))
    other = type(other_county_user).objects.get(pk=other_county_user.pk)
    with pytest.raises(PermissionDenied):
        services.reveal_id(actor=other, matter=matter, person=person)


def test_reveal_page_is_post_only_and_audits(client_for, county_admin, township_officer):
    matter, person = _matter(county_admin)
    url = f"/citizens/{matter.pk}/people/{person.pk}/id/"
    officer = client_for(township_officer)
    assert officer.post(url).status_code == 403
    page = officer.get(f"/citizens/{matter.pk}/").content.decode()
    assert person.id_masked in page and make_id(seq=21) not in page
    township_officer.user_permissions.add(Permission.objects.get(codename="view_full_id"))
    response = client_for(township_officer).post(url)
    assert response.status_code == 200 and make_id(seq=21) in response.content.decode()
    assert response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]
    assert AuditEntry.objects.filter(action=AuditEntry.Action.VIEW, target_id=str(matter.pk)).exists()
    assert client_for(township_officer).get(url).status_code == 302  # a GET shows nothing


def test_a_data_subject_gets_their_matters_in_the_scope_masked_and_the_lookup_audited(township_officer,
                                                                                       other_county_user, client_for):
    person = Person.objects.filter(matters__region_code__startswith="371525001").order_by("pk").first()
    number = idnumbers.decrypt(person.id_cipher)
    client = client_for(township_officer)
    assert client.get(reverse("citizens:subject-export")).status_code == 403  # no view_full_id: not even the form
    township_officer.user_permissions.add(Permission.objects.get(codename="view_full_id"))
    audits = AuditEntry.objects.filter(action=AuditEntry.Action.VIEW).count()
    response = client_for(township_officer).post(reverse("citizens:subject-export"), {"id_number": number})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats"), response.content[:300]
    rows = [[c.value for c in r] for r in load_workbook(io.BytesIO(response.content)).active.iter_rows()]
    text = str(rows)
    expected = Matter.objects.filter(region_code__startswith="371525001", applicant=person).count()
    assert len([r for r in rows[2:] if r[1]]) >= expected > 0
    assert number not in text and person.id_masked in text
    assert AuditEntry.objects.filter(action=AuditEntry.Action.VIEW).count() == audits + 1
    # another county's officer with the permission finds nothing of 冠县's
    other_county_user.user_permissions.add(Permission.objects.get(codename="view_full_id"))
    page = client_for(other_county_user).post(reverse("citizens:subject-export"), {"id_number": number})
    assert page["Content-Type"].startswith("text/html") and "没有此人的事项" in page.content.decode()
