from django.urls import path

from landguard.citizens import views

app_name = "citizens"

urlpatterns = [
    path("", views.registration_list, name="list"),
    path("export.xlsx", views.registration_export, name="list-export"),
    path("new/", views.registration_create, name="create"),
    path("<int:pk>/", views.registration_detail, name="detail"),
    path("<int:pk>/fetch/", views.registration_fetch, name="fetch"),
    path("<int:pk>/review/", views.registration_review, name="review"),
    path("<int:pk>/complete/", views.registration_complete, name="complete"),
    path("<int:pk>/refuse/", views.registration_refuse, name="refuse"),
    path("<int:pk>/withdraw/", views.registration_withdraw, name="withdraw"),
    path("<int:pk>/people/<int:person_pk>/id/", views.reveal_id, name="reveal-id"),
]
