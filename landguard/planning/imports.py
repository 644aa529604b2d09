"""The rural idle-land ledger (闲散土地台账) imported from the bureau's xlsx, in its columns:

    序号 · 乡镇（街道） · 村（社区） · 地块名称（位置） · 面积（亩） · 现状用途 · 拟利用方向 · 状态 · 指认日期 · 备注

Read through `landguard.formats.workbook` (the archive checks first); villages matched by name under their
township (or by 12-digit code) inside the importer's scope; choice columns by their printed label. Every bad row is
named with its column and nothing is written; a good file is written in one transaction, one audit entry per
parcel (services.create_idle_parcel). Areas come from the sheet: `area_source` is 填报面积."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from landguard.core.scope import RegionScope
from landguard.formats.base import LayerReadError
from landguard.formats.workbook import open_workbook
from landguard.planning import services
from landguard.planning.models import CurrentUse, IdleParcel, IdleStatus, PlannedReuse
from landguard.regions.models import Level, Region

MAX_ROWS = 20_000
MAX_MESSAGES = 50
COLUMNS = {  # role → accepted header texts (normalised: no spaces or brackets)
    "township": ("乡镇街道", "乡镇", "街道"),
    "village": ("村社区", "村", "行政村", "社区"),
    "name": ("地块名称位置", "地块名称", "位置", "坐落"),
    "area": ("面积亩", "面积"),
    "current_use": ("现状用途", "现状"),
    "planned_reuse": ("拟利用方向", "规划用途", "利用方向"),
    "status": ("状态",),
    "identified_on": ("指认日期", "日期"),
    "note": ("备注",),
}
REQUIRED = ("village", "name", "area", "current_use", "planned_reuse")
HEADERS = ["序号", "乡镇（街道）", "村（社区）", "地块名称（位置）", "面积（亩）", "现状用途", "拟利用方向", "状态",
           "指认日期", "备注"]


class IdleImportError(ValidationError):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = problems[:MAX_MESSAGES]
        if len(problems) > MAX_MESSAGES:
            shown.append(_("……另有 %(count)s 个问题") % {"count": len(problems) - MAX_MESSAGES})
        super().__init__(shown)


def _norm(value: Any) -> str:
    return re.sub(r"[\s\u3000（）()：:*＊]", "", "" if value is None else str(value))


def _rows(path: str | Path) -> list[tuple[int, list[Any]]]:
    rows = []
    try:
        with open_workbook(path) as wb:
            for number, cells in enumerate(wb.worksheets[0].iter_rows(values_only=True), start=1):
                if number > MAX_ROWS:
                    raise IdleImportError([_("文件超过 %(max)s 行，请分批导入") % {"max": MAX_ROWS}])
                values = list(cells)
                if any(v not in (None, "") for v in values):
                    rows.append((number, values))
    except LayerReadError as exc:
        raise IdleImportError([_("无法读取文件：请上传 Excel（.xlsx）文件"), str(exc)]) from None
    return rows


def _header(rows: list[tuple[int, list[Any]]]) -> tuple[int, dict[str, int]]:
    for position, (_number, values) in enumerate(rows[:10]):
        found = {}
        for index, cell in enumerate(values):
            text = _norm(cell)
            for role, names in COLUMNS.items():
                if role not in found and text in names:
                    found[role] = index
        if all(role in found for role in REQUIRED):
            return position, found
    raise IdleImportError([_("找不到表头：须有“村（社区）”“地块名称（位置）”“面积（亩）”“现状用途”“拟利用方向”列")])


def _by_label(choices: Any) -> dict[str, str]:
    return {_norm(label): value for value, label in choices.choices} | {_norm(str(label)): value
                                                                         for value, label in choices.choices}


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip().replace("/", "-").replace(".", "-")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


class _Matcher:
    """The villages in the importer's scope, by 12-digit code and by name (under their township when repeated)."""

    def __init__(self, scope: RegionScope) -> None:
        villages = list(Region.objects.filter(level=Level.VILLAGE, retired_in__isnull=True).filter(scope.q("code"))
                        .select_related("parent").defer("geom", "parent__geom"))
        self.by_code = {v.code: v for v in villages}
        self.by_name: dict[str, list[Region]] = {}
        for v in villages:
            self.by_name.setdefault(_norm(v.name), []).append(v)

    def __call__(self, village_text: str, township_text: str) -> Region | str:
        if village_text in self.by_code:
            return self.by_code[village_text]
        found = [v for v in self.by_name.get(village_text, []) if not township_text or (
            v.parent is not None and township_text in (_norm(v.parent.name), v.parent.code))]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            return _("村“%(name)s”不唯一，请填写乡镇或 12 位区划代码") % {"name": village_text}
        return _("“村（社区）”列：%(name)s 不存在或不在您的数据范围内") % {"name": village_text or "—"}


CHOICES = (("current_use", CurrentUse, _("现状用途")), ("planned_reuse", PlannedReuse, _("拟利用方向")),
           ("status", IdleStatus, _("状态")))


def _parse(values: list[Any], columns: dict[str, int], match: _Matcher,
           today: dt.date) -> tuple[dict[str, Any], list[str]]:
    """One data row as the service's values, and its problems (each naming its column)."""

    def cell(role: str) -> Any:
        index = columns.get(role)
        return values[index] if index is not None and index < len(values) else None

    problems: list[str] = []
    parsed: dict[str, Any] = {"note": str(cell("note") or "")[:300]}
    village = match(_norm(cell("village")), _norm(cell("township")))
    if isinstance(village, str):
        problems.append(village)
    parsed["village"] = village
    parsed["name"] = str(cell("name") or "").strip()
    if not parsed["name"]:
        problems.append(_("“地块名称（位置）”列为空"))
    area = cell("area")
    try:
        area_ok = float(str(area).replace(",", "")) > 0
    except ValueError:
        area_ok = False
    if not area_ok:
        problems.append(_("“面积（亩）”列须为大于 0 的数字：%(value)s") % {"value": area if area else "—"})
    parsed["area_mu"] = area
    for role, choices, label in CHOICES:
        text = cell(role)
        value = _by_label(choices).get(_norm(text)) if text not in (None, "") else (
            IdleStatus.IDENTIFIED if role == "status" else None)
        if value is None:
            problems.append(_("“%(column)s”列不是可选值：%(value)s") % {"column": label, "value": text or "—"})
        parsed[role] = value
    given = cell("identified_on")
    on = _date(given) if given not in (None, "") else today
    if on is None or on > today:
        problems.append(_("“指认日期”列不是有效日期（不晚于今天）：%(value)s") % {"value": given})
    parsed["identified_on"] = on
    return parsed, problems


def import_idle_parcels(*, actor: Any, scope: RegionScope, path: str | Path, today: dt.date) -> list[IdleParcel]:
    rows = _rows(path)
    if not rows:
        raise IdleImportError([_("文件是空的")])
    position, columns = _header(rows)
    match = _Matcher(scope)
    problems: list[str] = []
    parsed: list[dict[str, Any]] = []
    for number, values in rows[position + 1:]:
        row, row_problems = _parse(values, columns, match, today)
        problems.extend(_("第 %(row)s 行：%(problem)s") % {"row": number, "problem": p} for p in row_problems)
        parsed.append(row)
    if problems:
        raise IdleImportError(problems)
    if not parsed:
        raise IdleImportError([_("表中没有数据行")])
    with transaction.atomic():
        return [services.create_idle_parcel(actor=actor, **values) for values in parsed]
