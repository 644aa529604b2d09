"""Template helpers: official area units, the synthetic-data badge and readable audit changes."""

from __future__ import annotations

from typing import Any

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model
from django.utils.translation import gettext as _

from landguard.core.geodesy import hectares, mu

register = template.Library()


@register.filter
def area_m2(value: float | None) -> str:
    return "—" if value is None else f"{value:,.2f}"


@register.filter
def area_ha(value: float | None) -> str:
    """m² → 公顷, 4 decimals (the reporting precision for 公顷)."""
    return "—" if value is None else f"{hectares(value):,.4f}"


@register.filter
def area_mu(value: float | None) -> str:
    """m² → 亩, 2 decimals."""
    return "—" if value is None else f"{mu(value):,.2f}"


@register.inclusion_tag("web/_synthetic_badge.html")
def synthetic_badge(obj: Any, short: bool = False) -> dict[str, Any]:
    return {"show": bool(getattr(obj, "is_synthetic", False)), "short": short}


def _field_label(model: type[Model] | None, name: str) -> str:
    if model is None:
        return name
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return {"grids": _("责任网格")}.get(name, name)


def _show(value: Any) -> str:
    if value in (None, ""):
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, list):
        return "、".join(str(v) for v in value) or "—"
    return str(value)


@register.simple_tag
def audit_changes(entry: Any, obj: Any = None) -> list[tuple[str, str, str]]:
    """(field label, before, after) for an audit entry, labelled with the target model's verbose names."""
    model = obj if isinstance(obj, type) else type(obj) if isinstance(obj, Model) else None
    rows = []
    for name, pair in (entry.changes or {}).items():
        before, after = (pair + [None, None])[:2] if isinstance(pair, list) else (None, pair)
        rows.append((_field_label(model, name), _show(before), _show(after)))
    return rows
