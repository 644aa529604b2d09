"""Template helpers: official area units, the synthetic-data badge and readable audit changes."""

from __future__ import annotations

from typing import Any

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

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


# Change keys that services record beside model fields (what an import or a test send did, not a column):
# labelled here so a history never shows a code name.
EXTRA_LABELS = {
    "grids": _lazy("责任网格"),
    "version": _lazy("版本号"),
    "features": _lazy("要素数"),
    "draft": _lazy("草稿"),
    "current_version": _lazy("现行版本"),
    "patch_count": _lazy("图斑数"),
    "test": _lazy("测试结果"),
    "quotas": _lazy("使用指标"),
    "years": _lazy("年度实施计划"),
}


def _field(model: type[Model] | None, name: str) -> Any:
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _field_label(model: type[Model] | None, name: str) -> str:
    field = _field(model, name)
    if field is not None and getattr(field, "verbose_name", None):
        return str(field.verbose_name)
    return str(EXTRA_LABELS.get(name, name))


def _choice_label(model: type[Model] | None, name: str, value: Any) -> Any:
    """A stored choice (a status code such as `dispatched`) shown as its label, as the record's page shows it."""
    field = _field(model, name)
    choices = dict(field.flatchoices) if field is not None and getattr(field, "choices", None) else {}
    if isinstance(value, str) and value not in choices:
        # audit.snapshot stores a choice as "code (label)": the page shows the label, never the code.
        code, _sep, rest = value.partition(" (")
        if code in choices and rest.endswith(")"):
            return choices[code]
    return choices.get(value, value) if isinstance(value, (str, int)) else value


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
        rows.append((_field_label(model, name), _show(_choice_label(model, name, before)),
                     _show(_choice_label(model, name, after))))
    return rows
