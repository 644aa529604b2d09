from django.urls import path

from landguard.layers import views

app_name = "layers"
urlpatterns = [
    path("", views.layer_list, name="list"),
    path("export.xlsx", views.layer_export, name="export"),
    path("import/", views.layer_import, name="import"),
    path("<slug:slug>/", views.layer_detail, name="detail"),
    path("<slug:slug>/features/", views.feature_list, name="features"),
    path("<slug:slug>/features.xlsx", views.feature_export, name="features-export"),
    path("<slug:slug>/exchange.txt", views.exchange_export, name="exchange-export"),
    path("<slug:slug>/official/", views.designate_official, name="designate-official"),
    path("<slug:slug>/versions/<int:number>/current/", views.set_current, name="set-current"),
]
