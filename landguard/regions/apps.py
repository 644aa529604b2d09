from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "landguard.regions"
    label = "regions"
