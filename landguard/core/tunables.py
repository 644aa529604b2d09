"""A configurable rule: its default, whether that default is confirmed, and its basis. Each app keeps its own
catalogue (supply, citizens, approvals' 成片开发 plans, projects); every value can be overridden by a Django setting
of the same name, read at call time, so a deployment — or a test with override_settings — changes it without
touching code, and the pages print the value in force beside the figure and mark the unconfirmed ones 待确认."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.functional import Promise


@dataclass(frozen=True)
class Tunable:
    name: str
    default: Any
    confirmed: bool
    basis: str | Promise

    @property
    def value(self) -> Any:
        return getattr(settings, self.name, self.default)


class Catalog:
    """An app's rules by name: `value(name)` is the one in force, `rows()` every rule with it (the rules panels)."""

    def __init__(self, tunables: Iterable[Tunable]) -> None:
        self.by_name: dict[str, Tunable] = {t.name: t for t in tunables}

    def value(self, name: str) -> Any:
        return self.by_name[name].value

    def rows(self, prefix: str = "") -> list[tuple[Tunable, Any]]:
        """Every rule (or those whose name starts with `prefix`) with the value in force."""
        return [(t, t.value) for name, t in self.by_name.items() if name.startswith(prefix)]
