from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "landguard.audit"
    label = "audit"
