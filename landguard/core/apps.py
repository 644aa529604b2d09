from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "landguard.core"
    label = "core"
