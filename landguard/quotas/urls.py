from django.urls import path

from landguard.quotas import views

app_name = "quotas"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("export.xlsx", views.overview_export, name="overview-export"),
    path("entries/", views.entry_list, name="entries"),
    path("entries/export.xlsx", views.entry_export, name="entries-export"),
    path("entries/<int:pk>/correct/", views.correct, name="correct"),
    path("accounts/<int:pk>/", views.account_detail, name="account"),
    path("allocate/", views.allocate, name="allocate"),
    path("transfer/", views.transfer, name="transfer"),
    path("report/", views.report, name="report"),
    path("report/export.xlsx", views.report_export, name="report-export"),
    path("rules/", views.rules, name="rules"),
]
