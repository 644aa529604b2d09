from django.urls import path

from landguard.people import views

app_name = "people"
urlpatterns = [
    path("org-units/", views.orgunit_list, name="orgunit-list"),
    path("org-units/export.xlsx", views.orgunit_export, name="orgunit-export"),
    path("org-units/new/", views.orgunit_create, name="orgunit-create"),
    path("org-units/<int:pk>/", views.orgunit_detail, name="orgunit-detail"),
    path("org-units/<int:pk>/edit/", views.orgunit_edit, name="orgunit-edit"),
    path("users/", views.user_list, name="user-list"),
    path("users/export.xlsx", views.user_export, name="user-export"),
    path("users/new/", views.user_create, name="user-create"),
    path("users/<int:pk>/", views.user_detail, name="user-detail"),
    path("users/<int:pk>/edit/", views.user_edit, name="user-edit"),
    path("users/<int:pk>/revoke-token/", views.user_revoke_token, name="user-revoke-token"),
    path("account/", views.account, name="account"),
    path("townships.xlsx", views.township_export, name="township-export"),
    path("field-chiefs/", views.fieldchief_list, name="fieldchief-list"),
    path("field-chiefs/export.xlsx", views.fieldchief_export, name="fieldchief-export"),
    path("field-chiefs/new/", views.fieldchief_create, name="fieldchief-create"),
    path("field-chiefs/<int:pk>/", views.fieldchief_detail, name="fieldchief-detail"),
    path("field-chiefs/<int:pk>/edit/", views.fieldchief_edit, name="fieldchief-edit"),
]
