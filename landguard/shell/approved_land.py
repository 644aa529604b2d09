"""Approved-land providers (批准建设用地): what responsibility lists (包联清单) and floor/stretch targets (保底/冲刺)
count as done.

A target is met by land actually approved: the approvals app registers a provider at start-up
(`approvals/extensions.py`) that answers, for a region and a period, every approval whose 批复日期 falls in it,
cut by township with each part's official area and the projects it serves. The projects app computes progress
from these pieces (`projects.selectors.target_progress`, the one function every page, export and report uses)
without importing the approvals app."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise

from landguard.core.text import join_list
from landguard.shell.registry import Registry


@dataclass(frozen=True)
class ApprovedPiece:
    """The part of one approval inside one region (its township, or its county where townships are not mapped)."""

    record: str  # the approval it belongs to, "<app>.<model>:<pk>": one case (件) however many pieces it has
    region_code: str
    area_m2: float  # official CGCS2000 ellipsoidal area of the part
    approved_on: dt.date  # 批复日期
    project_ids: tuple[int, ...] = ()  # the key projects the approval serves (may be none)


@dataclass(frozen=True)
class ApprovedLandProvider:
    key: str  # "<app>.<what>", e.g. "approvals.dossiers"
    label: str | Promise  # how a page names the source: "报批卷宗批复"
    # Every piece approved within [start, end] (both inclusive) inside the region with this code prefix.
    pieces: Callable[[str, dt.date, dt.date], list[ApprovedPiece]]
    order: int = 100


PROVIDERS: Registry[ApprovedLandProvider] = Registry("approved-land provider", key=lambda p: p.key,
                                                     order=lambda p: p.order)
register = PROVIDERS.register


def has_providers() -> bool:
    return bool(PROVIDERS.all())


def approved_pieces(region_code: str, start: dt.date, end: dt.date) -> list[ApprovedPiece]:
    """The pieces of every registered provider inside the region (code prefix) approved within [start, end]."""
    return [piece for provider in PROVIDERS.all() for piece in provider.pieces(region_code, start, end)]


def source_label() -> str:
    """What the providers are called on a page: "报批卷宗批复", or "" when none is registered."""
    return join_list(str(p.label) for p in PROVIDERS.all())
