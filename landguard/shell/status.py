"""Project status providers: what the battle map shows of a project beyond its own health (挂图作战).

An app that follows projects through a procedure of its own (the approvals app: 审批状态) registers a provider
at start-up; the battle map asks every provider, once per page for all its projects, and shows each answer
beside the health colour — in the ticker and in the map's popup — without importing the app. A provider is
given the viewer's scope and the project ids on the page and answers only for those it knows, from its own
selectors (so it too applies the scope)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

from django.utils.functional import Promise

from landguard.core.scope import RegionScope
from landguard.shell.registry import Registry


@dataclass(frozen=True)
class ProjectStatus:
    value: str | Promise  # "已批复", in the active language
    tone: str = ""  # "ok", "warn" or "bad": how the page colours it; "" for plain


@dataclass(frozen=True)
class StatusProvider:
    key: str  # "<app>.<what>", e.g. "approvals.approval"
    label: str | Promise  # "审批状态"
    statuses: Callable[[RegionScope, Collection[int]], Mapping[int, ProjectStatus]]
    order: int = 100


@dataclass(frozen=True)
class ShownStatus:
    key: str
    label: str
    value: str
    tone: str

    def as_json(self) -> dict[str, str]:
        return {"key": self.key, "label": self.label, "value": self.value, "tone": self.tone}


PROVIDERS: Registry[StatusProvider] = Registry("project status provider", key=lambda p: p.key, order=lambda p: p.order)
register = PROVIDERS.register


def statuses(scope: RegionScope, project_ids: Collection[int]) -> dict[int, list[ShownStatus]]:
    """Every registered provider's status of each project, in the providers' order; a project no provider
    knows has an empty list."""
    shown: dict[int, list[ShownStatus]] = {pk: [] for pk in project_ids}
    if not project_ids:
        return shown
    for provider in PROVIDERS.all():
        answers = provider.statuses(scope, project_ids)
        for pk, status in answers.items():
            if pk in shown:  # a provider cannot add projects the page does not show
                shown[pk].append(ShownStatus(provider.key, str(provider.label), str(status.value), status.tone))
    return shown
