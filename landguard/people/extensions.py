"""What people plugs into the shell at start-up (imported in PeopleConfig.ready): the organisation tile of the
dashboard (cards, charts, the township table and its export) and the search of users and org units."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from landguard.people import stats
from landguard.people.views import ORG_UNITS, USERS
from landguard.shell import dashboard, search

dashboard.register(dashboard.Tile(
    key="people.organisation", template="people/_dashboard_tile.html", context=stats.dashboard, order=10,
    actions=((_("导出分乡镇统计"), "people:township-export"),)))

search.register(search.listing_provider(
    "people.users", USERS, label=lambda u: u.full_name or u.username,
    url=lambda u: reverse("people:user-detail", args=[u.pk]), detail=lambda u: u.username, order=50))
search.register(search.listing_provider(
    "people.org_units", ORG_UNITS, label=lambda u: u.name, url=lambda u: reverse("people:orgunit-detail", args=[u.pk]),
    detail=lambda u: u.region.name, order=60))
