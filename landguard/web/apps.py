from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "landguard.web"
    label = "web"
