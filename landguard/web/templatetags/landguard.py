"""Template helpers: official area units, the synthetic-data badge and readable audit changes."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Model

from landguard.audit import rendering
from landguard.audit.rendering import EXTRA_LABELS  # noqa: F401  (the labelled extra keys, read by tests)
from landguard.core.crs import describe_source
from landguard.core.geodesy import SQM_PER_MU, hectares, mu
from landguard.engine import landclass

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


@register.filter
def area_mu4(value: float | None) -> str:
    """m² → 亩, 4 decimals: where a report states 亩 to 4 places (冠县's 1,707.8945 亩)."""
    return "—" if value is None else f"{value / SQM_PER_MU:,.4f}"


@register.filter
def land_class(code: str | None) -> str:
    """A 三调 land-class code with its name ("0102 水浇地"): people read names, the code is kept for the record."""
    return landclass.code_and_name(code) or "—"


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """mapping[key] in a template (None when absent)."""
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def crs_name(value: str | None) -> str:
    """A stored source CRS key (epsg:4527, cgcs2000, gcj02) in words."""
    return describe_source(value or "") or "—"


@register.inclusion_tag("web/_synthetic_badge.html")
def synthetic_badge(obj: Any, short: bool = False) -> dict[str, Any]:
    return {"show": bool(getattr(obj, "is_synthetic", False)), "short": short}


@register.simple_tag
def audit_changes(entry: Any, obj: Any = None) -> list[tuple[str, str, str]]:
    """(field label, before, after) for an audit entry, labelled with the target model's verbose names and readable
    values (landguard.audit.rendering: labels, Beijing times, geometry summaries)."""
    model = obj if isinstance(obj, type) else type(obj) if isinstance(obj, Model) else None
    return rendering.change_rows(entry, model)


@register.filter
def note_of(row: Any) -> str:
    """The note of an audit entry or a history row in the reader's language (landguard.audit.notes)."""
    return rendering.note_text(row)


@register.filter
def audit_target(entry: Any) -> str:
    """What an audit entry is about, never Django's "X object (n)" (entries written before every model had a name)."""
    return rendering.target_text(entry)


@register.filter
def audit_actor(entry: Any) -> str:
    return rendering.actor_text(entry)
