from django.urls import path, re_path

from landguard.regions import views

app_name = "regions"
urlpatterns = [
    path("", views.region_list, name="list"),
    path("export.xlsx", views.region_export, name="export"),
    path("import-boundaries/", views.boundary_import, name="boundary-import"),
    re_path(r"^(?P<code>\d{2,12})/$", views.region_detail, name="detail"),
]
