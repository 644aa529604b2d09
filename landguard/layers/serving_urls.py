"""/layers/data/: a layer's features for maps and GIS clients (GeoJSON pages, Mapbox vector tiles)."""

from django.urls import path

from landguard.layers import serving_views

app_name = "layerdata"
urlpatterns = [
    path("<slug:slug>/features.geojson", serving_views.features_geojson, name="features"),
    path("<slug:slug>/tiles/<int:z>/<int:x>/<int:y>.pbf", serving_views.tile, name="tile"),
]
