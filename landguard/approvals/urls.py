from django.urls import path

from landguard.approvals import plan_views, views

app_name = "approvals"

urlpatterns = [
    path("", views.dossier_list, name="list"),
    path("export.xlsx", views.dossier_export, name="list-export"),
    path("ledger.xlsx", views.ledger_export, name="ledger-export"),
    path("new/", views.dossier_create, name="create"),
    path("summary/", views.summary, name="summary"),
    path("overlay-batch/", views.overlay_batch, name="overlay-batch"),
    path("summary.xlsx", views.summary_export, name="summary-export"),
    path("<int:pk>/", views.dossier_detail, name="detail"),
    path("<int:pk>/boundary.geojson", views.dossier_geojson, name="geojson"),
    path("<int:pk>/edit/", views.dossier_edit, name="edit"),
    path("<int:pk>/quotas/", views.dossier_quotas, name="quotas"),
    path("<int:pk>/boundary/", views.dossier_boundary, name="boundary"),
    path("<int:pk>/remeasure/", views.dossier_remeasure, name="remeasure"),
    path("<int:pk>/submit/", views.dossier_submit, name="submit"),
    path("<int:pk>/approve/", views.dossier_approve, name="approve"),
    path("<int:pk>/refuse/", views.dossier_refuse, name="refuse"),
    path("<int:pk>/return/", views.dossier_return, name="return"),
    path("<int:pk>/withdraw/", views.dossier_withdraw, name="withdraw"),
    # 土地征收成片开发方案
    path("plans/", plan_views.plan_list, name="plans"),
    path("plans/export.xlsx", plan_views.plan_export, name="plans-export"),
    path("plans/new/", plan_views.plan_create, name="plan-create"),
    path("plans/<int:pk>/", plan_views.plan_detail, name="plan-detail"),
    path("plans/<int:pk>/boundary.geojson", plan_views.plan_geojson, name="plan-geojson"),
    path("plans/<int:pk>/edit/", plan_views.plan_edit, name="plan-edit"),
    path("plans/<int:pk>/boundary/", plan_views.plan_boundary, name="plan-boundary"),
    path("plans/<int:pk>/years/", plan_views.plan_years, name="plan-years"),
    path("plans/<int:pk>/submit/", plan_views.plan_submit, name="plan-submit"),
    path("plans/<int:pk>/approve/", plan_views.plan_approve, name="plan-approve"),
    path("plans/<int:pk>/refuse/", plan_views.plan_refuse, name="plan-refuse"),
]
