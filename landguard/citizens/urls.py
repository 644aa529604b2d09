from django.urls import path

from landguard.citizens import hotline_views, petition_views, views

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
    path("orders/", hotline_views.order_list, name="order-list"),
    path("orders/export.xlsx", hotline_views.order_export, name="order-export"),
    path("orders/new/", hotline_views.order_create, name="order-create"),
    path("orders/<int:pk>/", hotline_views.order_detail, name="order-detail"),
    path("orders/<int:pk>/sign/", hotline_views.order_sign, name="order-sign"),
    path("orders/<int:pk>/return/", hotline_views.order_return, name="order-return"),
    path("orders/<int:pk>/answer/", hotline_views.order_answer, name="order-answer"),
    path("orders/<int:pk>/callback/", hotline_views.order_callback, name="order-callback"),
    path("petitions/", petition_views.petition_list, name="petition-list"),
    path("petitions/export.xlsx", petition_views.petition_export, name="petition-export"),
    path("petitions/new/", petition_views.petition_create, name="petition-create"),
    path("petitions/board/", petition_views.petition_board, name="petition-board"),
    path("petitions/<int:pk>/", petition_views.petition_detail, name="petition-detail"),
    path("petitions/<int:pk>/<slug:action>/", petition_views.petition_action, name="petition-action"),
]
