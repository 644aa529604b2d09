"""/ogc/: OGC API – Features (landguard.layers.ogc). Paths as the standard names them, without trailing slashes."""

from django.urls import path

from landguard.layers import ogc

app_name = "ogc"
urlpatterns = [
    path("", ogc.landing, name="landing"),
    path("conformance", ogc.conformance, name="conformance"),
    path("api", ogc.api, name="api"),
    path("collections", ogc.collections, name="collections"),
    path("collections/<slug:collection_id>", ogc.collection, name="collection"),
    path("collections/<slug:collection_id>/items", ogc.items, name="items"),
    path("collections/<slug:collection_id>/items/<str:feature_id>", ogc.item, name="item"),
]
