"""What supervision plugs into the shell at start-up (imported in SupervisionConfig.ready): the search of clues
(title, place), verification tasks (number, clue, place) and enforcement cases (number, party); the sections of
each role's home (supervision.homes)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy

from landguard.shell import homes, search
from landguard.supervision import homes as supervision_homes
from landguard.supervision.views.cases import CASES
from landguard.supervision.views.clues import CLUES
from landguard.supervision.views.tasks import TASKS

search.register(search.listing_provider(
    "supervision.clues", CLUES, label=lambda c: c.title, url=lambda c: reverse("supervision:clue-detail", args=[c.pk]),
    detail=lambda c: f"{c.number} · {c.place_name}", order=20))
search.register(search.listing_provider(
    "supervision.cases", CASES, label=lambda c: c.number, url=lambda c: reverse("supervision:case-detail", args=[c.pk]),
    detail=lambda c: c.party, order=25))
search.register(search.listing_provider(
    "supervision.tasks", TASKS, label=lambda t: t.number, url=lambda t: reverse("supervision:task-detail", args=[t.pk]),
    detail=lambda t: f"{t.clue.title} · {t.get_status_display()}", order=22))

# The homes (shell.homes): a field chief's tasks, the scope's queue for staff and admins (a township officer's is the
# township's), an enforcer's cases, the county's figures for leaders and admins.
homes.register(homes.HomeSection("supervision.my_tasks", gettext_lazy("我的核查任务"),
                                 "supervision/home/_my_tasks.html", supervision_homes.my_tasks,
                                 roles=frozenset({homes.FIELD_CHIEF}), order=10, per_user=True))
homes.register(homes.HomeSection("supervision.figures", gettext_lazy("耕地保护概况"), "supervision/home/_figures.html",
                                 supervision_homes.leader_figures, roles=frozenset({homes.LEADER, homes.ADMIN}),
                                 order=10))
homes.register(homes.HomeSection("supervision.cases", gettext_lazy("我的执法案件"), "supervision/home/_cases.html",
                                 supervision_homes.enforcer_cases, roles=frozenset({homes.ENFORCEMENT}), order=10))
homes.register(homes.HomeSection("supervision.queue", gettext_lazy("核查待办"), "supervision/home/_queue.html",
                                 supervision_homes.queue,
                                 roles=frozenset({homes.STAFF, homes.ADMIN, homes.ENFORCEMENT}), order=20))
# A township officer's 考核 figures (their home is the township's; planning and supply add its indicators and 两清).
homes.register(homes.HomeSection("supervision.township_assessment", gettext_lazy("本乡镇考核"),
                                 "supervision/home/_township.html", supervision_homes.township_assessment,
                                 roles=frozenset({homes.STAFF, homes.ADMIN}), order=5))
