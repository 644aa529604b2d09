"""Shared test fixtures.

The demo county (landguard.demo) is loaded once per test session into the test database; each test runs
inside a transaction that is rolled back, so tests may change data freely. The three personas every
access test uses come from that demo:

- county_admin      冠县自然资源和规划局 admin, scope 371525 (冠县)
- township_officer  清泉街道自然资源所 staff, scope 371525001 (清泉街道)
- other_county_user 莘县自然资源和规划局 admin, scope 371522 (莘县)
"""

from __future__ import annotations

import pytest

from landguard.demo.personas import COUNTY_ADMIN, OTHER_COUNTY_USER, TOWNSHIP_OFFICER


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from landguard.demo.loader import load_demo

    with django_db_blocker.unblock():
        load_demo()


@pytest.fixture
def county_admin(db):
    from landguard.people.models import User

    return User.objects.get(username=COUNTY_ADMIN)


@pytest.fixture
def township_officer(db):
    from landguard.people.models import User

    return User.objects.get(username=TOWNSHIP_OFFICER)


@pytest.fixture
def other_county_user(db):
    from landguard.people.models import User

    return User.objects.get(username=OTHER_COUNTY_USER)


@pytest.fixture
def personas(county_admin, township_officer, other_county_user):
    return {"county_admin": county_admin, "township_officer": township_officer, "other_county_user": other_county_user}


@pytest.fixture
def client_for(client):
    """client_for(user) → a Django test client logged in as that user."""
    from django.test import Client

    def make(user):
        c = Client()
        c.force_login(user)
        return c

    return make
