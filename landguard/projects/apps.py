from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "landguard.projects"
    label = "projects"
    verbose_name = "挂图作战"

    def ready(self) -> None:
        from landguard.projects import extensions  # noqa: F401  the search of projects, for the shell
        from landguard.projects import inbox_messages  # noqa: F401  registers the dispatch messages with the inbox
        from django.core.signals import request_finished, request_started
        from django.db.models.signals import post_delete, post_save

        from landguard.core import workdays
        from landguard.projects import calendar
        from landguard.projects.models import CalendarDay, CalendarYear

        # The calendar supervision's case deadlines count with.
        workdays.register_calendar_source(calendar.work_calendar)
        # Read once per request, forgotten when the request ends or a calendar row changes (calendar.work_calendar).
        request_started.connect(calendar.begin_request, dispatch_uid="landguard.projects.calendar.begin")
        request_finished.connect(calendar.end_request, dispatch_uid="landguard.projects.calendar.end")
        for model in (CalendarDay, CalendarYear):
            post_save.connect(calendar.forget_calendar, sender=model,
                              dispatch_uid=f"landguard.calendar.{model.__name__}.save")
            post_delete.connect(calendar.forget_calendar, sender=model,
                                dispatch_uid=f"landguard.calendar.{model.__name__}.delete")
