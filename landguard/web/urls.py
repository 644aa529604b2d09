from django.urls import path

from landguard.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("map/", views.map_view, name="map"),
    path("map/regions.geojson", views.regions_geojson, name="regions-geojson"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("search/", views.search, name="search"),
]
