from django.urls import path

from landguard.citizens import consultation_views, homestead_views, hotline_views, petition_views, views

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
    path("subject/", views.subject_export, name="subject-export"),
    path("orders/", hotline_views.order_list, name="order-list"),
    path("orders/export.xlsx", hotline_views.order_export, name="order-export"),
    path("orders/new/", hotline_views.order_create, name="order-create"),
    path("orders/<int:pk>/", hotline_views.order_detail, name="order-detail"),
    path("orders/<int:pk>/<slug:action>/", hotline_views.order_action, name="order-action"),
    path("figures/", consultation_views.service_figures, name="figures"),
    path("figures/export.xlsx", consultation_views.service_figures_export, name="figures-export"),
    path("consultations/", consultation_views.consultation_list, name="consultation-list"),
    path("consultations/export.xlsx", consultation_views.consultation_export, name="consultation-export"),
    path("consultations/new/", consultation_views.consultation_create, name="consultation-create"),
    path("homestead/rights/", homestead_views.right_list, name="homestead-rights"),
    path("homestead/rights/export.xlsx", homestead_views.right_export, name="homestead-rights-export"),
    path("homestead/rights/new/", homestead_views.right_create, name="homestead-right-create"),
    path("homestead/", homestead_views.homestead_list, name="homestead-list"),
    path("homestead/export.xlsx", homestead_views.homestead_export, name="homestead-export"),
    path("homestead/new/", homestead_views.homestead_create, name="homestead-create"),
    path("homestead/<int:pk>/", homestead_views.homestead_detail, name="homestead-detail"),
    path("homestead/<int:pk>/<slug:action>/", homestead_views.homestead_action, name="homestead-action"),
    path("petitions/", petition_views.petition_list, name="petition-list"),
    path("petitions/export.xlsx", petition_views.petition_export, name="petition-export"),
    path("petitions/new/", petition_views.petition_create, name="petition-create"),
    path("petitions/board/", petition_views.petition_board, name="petition-board"),
    path("petitions/<int:pk>/", petition_views.petition_detail, name="petition-detail"),
    path("petitions/<int:pk>/<slug:action>/", petition_views.petition_action, name="petition-action"),
]
