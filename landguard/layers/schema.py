"""Standard fields per layer kind and how a source file's columns map onto them.

The 三调 DLTB field names follow domain.md §1.1 (TD/T 1057-2020); other layers use the few fields the
platform reads (an identifier, a land-use code, a stored area). Matching is case-insensitive and accepts
the aliases surveys use (二调 TKXS for KCXS, Chinese column headers). A mapping given by the user wins.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from landguard.layers.models import LayerKind


@dataclass(frozen=True)
class StdField:
    name: str
    label: str
    aliases: tuple[str, ...] = ()


# The DLTB schema (domain.md §1.1). Only DLBM is required; KCXS is required for 耕地 parcels by the engine. QSXZ
# (权属性质) is optional: without it every parcel counts as 未标注; its values are checked by the engine
# (engine.ownership, through DltbLayer), which names the features whose code is not in the list.
DLTB_FIELDS = (
    StdField("BSM", gettext_lazy("标识码")),
    StdField("TBBH", gettext_lazy("图斑编号")),
    StdField("DLBM", gettext_lazy("地类编码"), ("地类编码",)),
    StdField("DLMC", gettext_lazy("地类名称"), ("地类名称",)),
    StdField("TBMJ", gettext_lazy("图斑面积"), ("图斑面积",)),
    StdField("KCDLBM", gettext_lazy("扣除地类编码")),
    StdField("KCXS", gettext_lazy("扣除地类系数"), ("TKXS", "田坎系数", "扣除地类系数")),
    StdField("KCMJ", gettext_lazy("扣除地类面积"), ("TKMJ",)),
    StdField("TBDLMJ", gettext_lazy("图斑地类面积")),
    StdField("ZLDWDM", gettext_lazy("坐落单位代码")),
    StdField("ZLDWMC", gettext_lazy("坐落单位名称")),
    StdField("QSDWDM", gettext_lazy("权属单位代码")),
    StdField("QSDWMC", gettext_lazy("权属单位名称")),
    StdField("QSXZ", gettext_lazy("权属性质"), ("权属性质", "权属性质代码", "QSXZDM")),
    StdField("GDLX", gettext_lazy("耕地类型")),
    StdField("GDPDJB", gettext_lazy("耕地坡度级别")),
    StdField("SJNF", gettext_lazy("数据年份")),
)
GENERIC_FIELDS = (
    StdField("BSM", gettext_lazy("标识码"), ("JCBH", "TBBH", "DKBH", "地块编号", "XMBH", "ID")),
    StdField("DLBM", gettext_lazy("地类编码"), ("地类编码", "YDLX", "GHDLBM")),
    StdField("MJ", gettext_lazy("面积"), ("TBMJ", "面积", "地块面积", "SHAPE_AREA")),
)

# Which standard field holds what, per kind.
ID_FIELD, CODE_FIELD = "BSM", "DLBM"
AREA_FIELD = {LayerKind.DLTB: "TBMJ"}
REQUIRED = {LayerKind.DLTB: ("DLBM",)}


def fields_for(kind: str) -> tuple[StdField, ...]:
    return DLTB_FIELDS if kind == LayerKind.DLTB else GENERIC_FIELDS


def area_field(kind: str) -> str:
    return AREA_FIELD.get(kind, "MJ")


class FieldMappingError(ValueError):
    pass


def resolve_mapping(kind: str, source_fields: Sequence[str], given: Mapping[str, str] | None = None) -> dict[str, str]:
    """Standard field → source column. `given` (from the user) is checked against the file; the rest is
    matched by name or alias, case-insensitively. Raises FieldMappingError naming a missing column."""
    by_upper = {f.upper(): f for f in source_fields}
    std = {f.name: f for f in fields_for(kind)}
    mapping: dict[str, str] = {}
    for name, column in (given or {}).items():
        key = name.strip().upper()
        if key not in std:
            raise FieldMappingError(_("字段对应中的“%(field)s”不是本类图层的标准字段（可用：%(fields)s）")
                                    % {"field": name, "fields": "、".join(std)})
        found = by_upper.get(column.strip().upper())
        if found is None:
            raise FieldMappingError(
                _("字段对应 %(field)s=%(column)s：文件中没有字段“%(column)s”（文件字段：%(fields)s）")
                                    % {"field": key, "column": column, "fields": "、".join(source_fields) or "—"})
        mapping[key] = found
    for f in std.values():
        if f.name in mapping:
            continue
        for candidate in (f.name, *f.aliases):
            if candidate.upper() in by_upper:
                mapping[f.name] = by_upper[candidate.upper()]
                break
    for name in REQUIRED.get(kind, ()):
        if name not in mapping:
            raise FieldMappingError(
                _("缺少必需字段 %(field)s（%(label)s）；文件字段：%(fields)s。可用字段对应指定，如 %(field)s=地类代码")
                                    % {"field": name, "label": std[name].label,
                                       "fields": "、".join(source_fields) or "—"})
    return mapping


def parse_mapping(text: str) -> dict[str, str]:
    """"DLBM=地类编码, KCXS=TKXS" → {"DLBM": "地类编码", "KCXS": "TKXS"}; for the command line and the upload form."""
    mapping: dict[str, str] = {}
    for item in text.replace("，", ",").replace("；", ",").replace(";", ",").split(","):
        if not item.strip():
            continue
        if "=" not in item:
            raise FieldMappingError(_("字段对应“%(item)s”应写成 标准字段=文件字段，如 DLBM=地类编码")
                                    % {"item": item.strip()})
        std, column = item.split("=", 1)
        mapping[std.strip().upper()] = column.strip()
    return mapping
