from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "landguard.api"
    label = "api"
