"""What supervision plugs into the shell at start-up (imported in SupervisionConfig.ready): the search of clues
(title, place), verification tasks (number, clue, place) and enforcement cases (number, party)."""

from __future__ import annotations

from django.urls import reverse

from landguard.shell import search
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
