from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "landguard.demo"
    label = "demo"
