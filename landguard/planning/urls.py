from django.urls import path

from landguard.planning import views

app_name = "planning"
urlpatterns = [
    path("", views.indicators, name="indicators"),
    path("export.xlsx", views.indicators_export, name="indicators-export"),
    path("plan/", views.plan_edit, name="plan-edit"),
    path("measure/", views.measure, name="measure"),
    path("indicators/<int:pk>/breakdown/", views.breakdown, name="breakdown"),
    path("townships/", views.township_list, name="townships"),
    path("townships/export.xlsx", views.township_export, name="townships-export"),
    path("townships/<str:code>/", views.township, name="township"),
    path("townships/<str:code>/geojson/", views.township_geojson, name="township-geojson"),
    path("breakdowns/<int:pk>/laid-out/", views.laid_out, name="laid-out"),
    path("idle/", views.idle_list, name="idle"),
    path("idle/export.xlsx", views.idle_export, name="idle-export"),
    path("idle/geojson/", views.idle_geojson, name="idle-geojson"),
    path("idle/new/", views.idle_create, name="idle-create"),
    path("idle/import/", views.idle_import, name="idle-import"),
    path("idle/<int:pk>/", views.idle_detail, name="idle-detail"),
    path("idle/<int:pk>/geojson/", views.idle_parcel_geojson, name="idle-parcel-geojson"),
    path("idle/<int:pk>/edit/", views.idle_edit, name="idle-edit"),
]
