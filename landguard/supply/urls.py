from django.urls import path

from landguard.supply import views

app_name = "supply"

urlpatterns = [
    path("", views.supply_list, name="list"),
    path("export.xlsx", views.supply_export, name="list-export"),
    path("new/", views.supply_create, name="create"),
    path("<int:pk>/", views.supply_detail, name="detail"),
    path("<int:pk>/parcel.geojson", views.supply_geojson, name="geojson"),
    path("<int:pk>/payment/", views.supply_payment, name="payment"),
    path("<int:pk>/milestone/", views.supply_milestone, name="milestone"),
    # 两清 (出让金清欠 + 闲置土地清理)
    path("board/", views.item_board, name="board"),
    path("board.xlsx", views.item_export, name="board-export"),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("items/<int:pk>/edit/", views.item_edit, name="item-edit"),
    path("items/<int:pk>/step/", views.item_step, name="item-step"),
    # 批而未供 / 供地率
    path("rates/", views.rate_page, name="rates"),
    path("rates.xlsx", views.rate_export, name="rates-export"),
    path("tasks.xlsx", views.task_export, name="tasks-export"),
    path("layers.geojson", views.map_layers, name="layers"),
]
