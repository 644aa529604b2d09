"""/api/: read-only resources for everything in the caller's scope, writes for org units and users (admins),
token login, and the OpenAPI schema with its two offline viewers."""

from django.contrib.auth.decorators import login_required
from django.urls import path
from rest_framework.routers import SimpleRouter

from landguard.analysis.api import OverlayView
from landguard.approvals.api import DossierViewSet, SummaryView
from landguard.approvals.plan_api import DevelopmentPlanViewSet
from landguard.supply.api import RateView, SupplyRecordViewSet, TwoClearItemViewSet
from landguard.citizens.api import RegistrationViewSet
from landguard.api import views
from landguard.core.access import public
from landguard.layers.api import LayerViewSet
from landguard.projects.api import ProblemViewSet, ProjectViewSet, ServiceRequestViewSet, TargetListViewSet
from landguard.planning.api import BreakdownViewSet, IdleParcelViewSet
from landguard.quotas.api import QuotaAccountViewSet, QuotaEntryViewSet
from landguard.projects.api_templates import ProcedureTemplateViewSet
from landguard.supervision import api as supervision_api

app_name = "api"

# SimpleRouter, not DefaultRouter: no root view and no `.json` suffix routes, so each resource has exactly
# one list and one detail pattern (the access walk visits every pattern). `?format=` still selects a renderer.
router = SimpleRouter()
router.register("regions", views.RegionViewSet, basename="region")
router.register("code-changes", views.CodeChangeViewSet, basename="codechange")
router.register("org-units", views.OrgUnitViewSet, basename="orgunit")
router.register("users", views.UserViewSet, basename="user")
router.register("grids", views.GridViewSet, basename="grid")
router.register("field-chiefs", views.FieldChiefViewSet, basename="fieldchief")
router.register("audit-entries", views.AuditEntryViewSet, basename="auditentry")
router.register("jobs", views.JobViewSet, basename="job")
router.register("layers", LayerViewSet, basename="layer")
router.register("projects", ProjectViewSet, basename="project")
router.register("problems", ProblemViewSet, basename="problem")
router.register("service-requests", ServiceRequestViewSet, basename="servicerequest")
router.register("target-lists", TargetListViewSet, basename="targetlist")
router.register("quotas/accounts", QuotaAccountViewSet, basename="quota-account")
router.register("quotas/entries", QuotaEntryViewSet, basename="quota-entry")
router.register("planning/breakdowns", BreakdownViewSet, basename="planning-breakdown")
router.register("planning/idle-parcels", IdleParcelViewSet, basename="planning-idle-parcel")
router.register("approvals/dossiers", DossierViewSet, basename="approvals-dossier")
router.register("approvals/plans", DevelopmentPlanViewSet, basename="approvals-plan")
router.register("supply/records", SupplyRecordViewSet, basename="supply-record")
router.register("supply/items", TwoClearItemViewSet, basename="supply-item")
router.register("citizens/registrations", RegistrationViewSet, basename="citizens-registration")
router.register("procedure-templates", ProcedureTemplateViewSet, basename="proceduretemplate")
router.register("supervision/clues", supervision_api.ClueViewSet, basename="supervision-clue")
router.register("supervision/tasks", supervision_api.TaskViewSet, basename="supervision-task")
router.register("supervision/cases", supervision_api.CaseViewSet, basename="supervision-case")
router.register("supervision/cameras", supervision_api.CameraViewSet, basename="supervision-camera")

urlpatterns = [
    path("auth/token/", public(views.TokenView.as_view()), name="token"),
    path("supervision/alarms/", supervision_api.alarm_intake, name="supervision-alarms"),
    path("supervision/alarms/isapi/", supervision_api.device_alarm_intake, name="supervision-alarms-isapi"),
    path("overlay/", OverlayView.as_view(), name="overlay"),
    path("approvals/summary/", SummaryView.as_view(), name="approvals-summary"),
    path("supply/rate/", RateView.as_view(), name="supply-rate"),
    path("schema/", views.SchemaView.as_view(), name="schema"),
    # The HTML viewers send an anonymous browser to the login page instead of showing a bare 403.
    path("docs/", login_required(views.SwaggerView.as_view(url_name="api:schema")), name="docs"),
    path("redoc/", login_required(views.RedocView.as_view(url_name="api:schema")), name="redoc"),
    *router.urls,
]
