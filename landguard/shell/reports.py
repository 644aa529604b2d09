"""Weekly-report sections (用地要素保障周报): what other apps add to the battle map's weekly report.

The report (`projects.reports.weekly_report`) has its own lists — problems, responsibilities, tasks and the
progress tables — and then, in order, the tables of every section registered here at start-up
(`<app>/extensions.py`): the approvals app's 审批进度, the land-supply app's 供地情况, … A section builds its
tables for the viewer's scope and the report's week from its app's selectors; the page, the docx and the xlsx
show them like the report's own, and the report never imports the app."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from landguard.core.scope import RegionScope
from landguard.shell.registry import Registry


@dataclass(frozen=True)
class Table:
    title: str
    headers: list[str]
    rows: list[list[Any]]
    formats: tuple[str | None, ...] = ()  # the xlsx number format of each column, by position; None: as is


@dataclass(frozen=True)
class Week:
    start: dt.date  # the Friday after the previous report day
    report_day: dt.date  # the report's own day, the last of its week


@dataclass(frozen=True)
class Section:
    key: str  # "<app>.<what>", e.g. "approvals.progress"
    build: Callable[[RegionScope, Week], list[Table]]  # the section's tables, titled, in the active language
    order: int = 100


SECTIONS: Registry[Section] = Registry("weekly-report section", key=lambda s: s.key, order=lambda s: s.order)
register = SECTIONS.register


def section_tables(scope: RegionScope, week: Week) -> list[Table]:
    """The tables of every registered section, in order."""
    return [table for section in SECTIONS.all() for table in section.build(scope, week)]
