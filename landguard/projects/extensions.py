"""What projects plugs into the shell at start-up (imported in ProjectsConfig.ready): the search of key projects
by name or owner and of enterprises' service requests by enterprise; the key projects behind schedule on the
homes of leaders, admins and staff; the leaders' visits due and the lagging responsibility-list regions on the homes
of leaders and admins."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from landguard.projects import homes as project_homes
from landguard.projects.views.common import project_url
from landguard.projects.views.projects import PROJECTS
from landguard.projects.views.service_requests import REQUESTS, request_url
from landguard.shell import homes, search

search.register(search.listing_provider(
    "projects.projects", PROJECTS, label=lambda p: p.name, url=project_url,
    detail=lambda p: f"{p.get_level_display()} · {p.region.name}", order=10))
search.register(search.listing_provider(
    "projects.requests", REQUESTS, label=lambda r: r.enterprise, url=request_url,
    detail=lambda r: f"{r.get_kind_display()} · {r.get_status_display()}", order=12))
homes.register(homes.HomeSection("projects.behind", gettext_lazy("重点项目进度"), "projects/home/_behind.html",
                                 project_homes.behind_schedule,
                                 roles=frozenset({homes.LEADER, homes.ADMIN, homes.STAFF}), order=30))
homes.register(homes.HomeSection("projects.visits", gettext_lazy("上门服务提醒"), "projects/home/_visits.html",
                                 project_homes.visits_due, roles=frozenset({homes.LEADER, homes.ADMIN}), order=32))
homes.register(homes.HomeSection("projects.lagging", gettext_lazy("责任清单进度滞后"), "projects/home/_lagging.html",
                                 project_homes.lagging_targets, roles=frozenset({homes.LEADER, homes.ADMIN}),
                                 order=34))
