from django.urls import path

from landguard.approvals import views

app_name = "approvals"

urlpatterns = [
    path("", views.dossier_list, name="list"),
    path("export.xlsx", views.dossier_export, name="list-export"),
    path("ledger.xlsx", views.ledger_export, name="ledger-export"),
    path("new/", views.dossier_create, name="create"),
    path("summary/", views.summary, name="summary"),
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
]
