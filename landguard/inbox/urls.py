from django.urls import path

from landguard.inbox import views

app_name = "inbox"
urlpatterns = [
    path("", views.inbox, name="list"),
    path("<int:pk>/read/", views.read, name="read"),
    path("read/", views.read_all, name="read-all"),
]
