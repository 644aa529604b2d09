from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language

from landguard.core.access import public
from landguard.layers import ogc
from landguard.web.auth import LoginView

urlpatterns = [
    path("login/", public(LoginView.as_view()), name="login"),
    path("logout/", public(auth_views.LogoutView.as_view()), name="logout"),
    path("i18n/setlang/", public(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("api/", include("landguard.api.urls")),
    path("regions/", include("landguard.regions.urls")),
    path("people/", include("landguard.people.urls")),
    path("jobs/", include("landguard.jobs.urls")),
    path("inbox/", include("landguard.inbox.urls")),
    path("layers/data/", include("landguard.layers.serving_urls")),
    # GIS clients are given the service URL with or without the slash; both answer the landing page (no redirect).
    path("ogc", ogc.landing, name="ogc-landing"),
    path("ogc/", include("landguard.layers.ogc_urls")),
    path("layers/", include("landguard.layers.urls")),
    path("supervision/", include("landguard.supervision.urls")),
    path("projects/", include("landguard.projects.urls")),
    path("quotas/", include("landguard.quotas.urls")),
    path("approvals/", include("landguard.approvals.urls")),
    path("planning/", include("landguard.planning.urls")),
    path("supply/", include("landguard.supply.urls")),
    path("citizens/", include("landguard.citizens.urls")),
    path("analysis/", include("landguard.analysis.urls")),
    path("", include("landguard.web.urls")),
]

# 403 and 404 in the shell and the reader's language (landguard/web/errors.py); 500.html is static.
handler403 = "landguard.web.errors.permission_denied"
handler404 = "landguard.web.errors.page_not_found"
