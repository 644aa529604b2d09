from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "landguard.projects"
    label = "projects"
    verbose_name = "挂图作战"

    def ready(self) -> None:
        from landguard.projects import extensions  # noqa: F401  the search of projects, for the shell
        from landguard.projects import inbox_messages  # noqa: F401  registers the dispatch messages with the inbox
        from landguard.core import workdays
        from landguard.projects.calendar import work_calendar

        workdays.register_calendar_source(work_calendar)  # the calendar supervision's case deadlines count with
