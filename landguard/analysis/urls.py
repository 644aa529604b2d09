from django.urls import path

from landguard.analysis import views

app_name = "analysis"
urlpatterns = [
    path("", views.overlay_page, name="overlay"),
    path("report.xlsx", views.report_xlsx, name="report-xlsx"),
    path("report.docx", views.report_docx, name="report-docx"),
]
