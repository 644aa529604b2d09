"""403, 404 and 500 in the product's shell and the reader's language (not Django's bare English pages), with the
way back home; and the holiday calendar links its rows to the edit page only for those who may edit."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from landguard.projects.models import CalendarDay

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _not_debug(settings):
    settings.DEBUG = False  # as deployed: Django's technical 404 page would otherwise answer


def _text(response) -> str:
    return response.content.decode()


def test_404_in_the_shell_and_in_the_cookie_language(client_for, county_admin):
    client = client_for(county_admin)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = _text(response)
    assert 'class="topbar"' in html and "页面不存在" in html, html[:500]
    assert f'href="{reverse("web:home")}"' in html and "返回首页" in html
    assert "Not Found" not in html

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = _text(client.get("/no-such-page/"))
    assert '<html lang="en">' in html and "Page not found" in html and "Back to home" in html
    assert "页面不存在" not in html


def test_404_of_an_object_outside_the_scope_is_the_same_page(client_for, township_officer):
    response = client_for(township_officer).get(reverse("regions:detail", args=["371522"]))
    assert response.status_code in (403, 404)
    assert 'class="topbar"' in _text(response)


def test_403_in_the_shell(client_for, county_admin):
    day = CalendarDay.objects.order_by("date").first()
    client = client_for(county_admin)
    response = client.get(reverse("projects:calendar-edit", args=[day.pk]))
    assert response.status_code == 403
    html = _text(response)
    assert 'class="topbar"' in html and "无权访问" in html and "返回首页" in html
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = _text(client.get(reverse("projects:calendar-edit", args=[day.pk])))
    assert "Access denied" in html and "无权访问" not in html


def test_anonymous_404_offers_the_login(client):
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    html = _text(response)
    assert "页面不存在" in html and f'href="{reverse("login")}"' in html and 'class="topbar"' not in html


def test_500_page_is_static_and_bilingual():
    html = render_to_string("500.html")
    assert "服务器出错了" in html and "Something went wrong" in html and 'href="/"' in html


def test_calendar_rows_link_only_for_those_who_may_edit(client_for, county_admin, django_user_model):
    day = CalendarDay.objects.order_by("date").first()
    edit = reverse("projects:calendar-edit", args=[day.pk])
    url = reverse("projects:calendar") + f"?year={day.date.year}"
    assert edit not in _text(client_for(county_admin).get(url))
    superuser = django_user_model.objects.create_superuser("calendar-root", password="x-long-password-1")
    assert edit in _text(client_for(superuser).get(url))


def test_a_urlconf_without_the_shell_gets_the_bare_page(client_for, county_admin, settings):
    """The access walk's fixtures serve a URLconf with none of the site's namespaces: no NoReverseMatch."""
    from django.http import Http404
    from django.urls import path

    import types

    def missing(request):
        raise Http404

    conf = types.ModuleType("error_pages_fixture_conf")
    conf.urlpatterns = [path("gone/", missing)]  # type: ignore[attr-defined]
    conf.handler404 = "landguard.web.errors.page_not_found"  # type: ignore[attr-defined]
    settings.ROOT_URLCONF = conf
    client = client_for(county_admin)
    for url in ("/gone/", "/nothing-here/"):
        response = client.get(url)
        assert response.status_code == 404 and "页面不存在" in _text(response) and 'href="/"' in _text(response)
        assert 'class="topbar"' not in _text(response)
