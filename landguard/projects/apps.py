from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "landguard.projects"
    label = "projects"
    verbose_name = "挂图作战"
