from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "landguard.people"
    label = "people"
