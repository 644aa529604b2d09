"""The public-service figures of a period (issue 15 item 5) as the bureaus' reports state them: one table of
(item, figure) rows shared by the weekly report's 便民服务 section, the figures page and its xlsx."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from landguard.citizens.selectors import ServiceFigures


def figures_table(figures: ServiceFigures) -> list[list[Any]]:
    """The period's public-service figures as (item, figure) rows: the weekly report's table and the figures page."""
    rate = (lambda part, whole: f"{part / whole * 100:.1f}%" if whole else "—")  # noqa: E731
    consult = figures.consultations
    p = figures.petitions
    rows: list[list[Any]] = [[_("不动产登记受理"), figures.registrations]]
    rows += [[f"　{label}", n] for label, n in figures.registrations_by_kind]
    rows += [[_("不动产登记办结"), figures.registrations_done],
             [_("其中按承诺时限办结"), figures.registrations_within_target],
             [_("法治工作室咨询"), consult.total]]
    rows += [[f"　{label}", n] for label, n in consult.by_topic]
    rows += [[_("12345工单"), figures.orders], [_("12345工单办结"), figures.orders_closed],
             [_("12345按期办结率"), rate(figures.orders_on_time, figures.orders_closed)],
             [_("12345回访满意率"), rate(figures.orders_satisfied, figures.orders_called_back)],
             [_("信访登记"), p.screened], [_("信访受理"), p.accepted], [_("信访积案"), p.backlog],
             [_("积案领导包案"), p.led], [_("已签息访单"), p.signed], [_("事实息访"), p.de_facto],
             [_("信访超期未办结"), p.overdue]]
    return rows
