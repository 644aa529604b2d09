"""Supervision settings in the admin site, for superusers only. Bureau admins keep them on the scoped,
audited settings pages (/supervision/settings/, landguard.supervision.settings_services); business records
(clues, tasks, cases) change only through the services."""

from django.contrib import admin

from landguard.supervision.models import Channel, DeadlinePolicy


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(admin.ModelAdmin):
    list_display = ["region_code", "kind", "severity", "report_minutes", "onsite_minutes", "restore_minutes"]


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region_code", "is_active"]
    list_filter = ["kind", "is_active"]
