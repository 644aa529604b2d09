"""Spreadsheet imports: responsibility lists (责任清单) and the bureau's existing project ledger (项目台账).

Both read the first sheet of an xlsx, check every row first and write only when nothing is wrong — one
transaction, audited — so a bad row leaves nothing behind; every message names the row (as Excel numbers
it) and the column.

Responsibility list: one row per region with its leader, division and targets — land tasks (cases, 万亩),
provincial key projects (cases, 万亩) and their total — optionally followed by a 合计 row. A one-row header
("用地任务件数") or the two-row form of the 湖北 table ("用地任务" above "件数"/"面积（万亩）") both work. Rejected:
a region that is unknown or outside the list's region, a negative or non-numeric figure, a row whose total
is not the sum of its parts, a 合计 row that is not the sum of the rows.

Project ledger: one row per project, columns mapped by the user (or recognised from LEDGER_COLUMNS and
their synonyms). Existing projects (same name in the same region) are updated, others created with the
default chain. The export (ledger_rows) has the same columns, so an exported ledger imports again.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from landguard.audit import services as audit
from landguard.audit.models import AuditEntry
from landguard.audit.notes import Note
from landguard.core.scope import RegionScope, scope_for
from landguard.formats.base import LayerReadError
from landguard.formats.workbook import open_workbook
from landguard.people.models import User
from landguard.projects import selectors, services
from landguard.projects.models import Project, ServiceGroup, Target, TargetList
from landguard.regions import selectors as region_selectors
from landguard.regions.models import CODE_LENGTH_LEVEL, Region
from landguard.regions.names import name_keys

MAX_ROWS = 5000
MAX_MESSAGES = 50
FOUR_PLACES = Decimal("0.0001")


class SheetImportError(ValidationError):
    """The file was not imported; `messages` lists every problem found (row and column named)."""

    def __init__(self, messages: Sequence[str]) -> None:
        self.problems = list(messages)
        shown = self.problems[:MAX_MESSAGES]
        if len(self.problems) > MAX_MESSAGES:
            shown.append(_("……另有 %(count)s 个问题") % {"count": len(self.problems) - MAX_MESSAGES})
        super().__init__(shown)


def _norm(value: Any) -> str:
    return re.sub(r"[\s\u3000（）()：:*＊]", "", "" if value is None else str(value))


def _sheet(path: str | Path) -> list[tuple[int, list[Any], list[str]]]:
    """(Excel row number, cell values, number formats) of the first sheet, empty rows left out."""
    rows = []
    try:
        with open_workbook(path) as wb:  # the archive checks first: an .xlsx is a zip
            for number, cells in enumerate(wb.worksheets[0].iter_rows(), start=1):
                if number > MAX_ROWS:
                    raise SheetImportError([_("文件超过 %(max)s 行，请分批导入") % {"max": MAX_ROWS}])
                values = [getattr(c, "value", None) for c in cells]
                if any(v not in (None, "") for v in values):
                    rows.append((number, values, [getattr(c, "number_format", None) or "General" for c in cells]))
    except LayerReadError as exc:  # not an xlsx, or an archive refused: what to do, then why
        raise SheetImportError([_("无法读取文件：请上传 Excel（.xlsx）文件"), str(exc)]) from None
    return rows


def _rows(path: str | Path) -> list[tuple[int, list[Any]]]:
    """(Excel row number, cell values) of the first sheet, empty rows left out."""
    return [(number, values) for number, values, _formats in _sheet(path)]


def printed_places(value: Any, number_format: str = "General") -> int:
    """How many decimals the sheet shows for a number: its number format's (0.00 → 2), else those it was typed with."""
    if isinstance(value, str):
        text = value.strip().replace(",", "")
        return len(text.partition(".")[2])
    if match := re.search(r"0\.(0+)", number_format or ""):
        return len(match.group(1))
    if re.fullmatch(r"[#,]*0", number_format or ""):
        return 0
    exponent = Decimal(repr(value)).normalize().as_tuple().exponent if isinstance(value, float) else 0
    return max(0, -int(exponent))


def rounding_tolerance(places: int, terms: int) -> Decimal:
    """The most a printed total may differ from the sum of its `terms` parts by rounding alone: half a unit of its
    last printed decimal for the total itself and for each part (each was rounded once when printed)."""
    return Decimal(1).scaleb(-places) / 2 * (terms + 1)


def _decimal(value: Any) -> Decimal:
    if value in (None, ""):
        return Decimal(0)
    if isinstance(value, bool):
        raise InvalidOperation
    text = str(value).strip().replace(",", "")
    return Decimal(text)


def _region_matcher(scope: RegionScope, under: Region) -> Any:
    regions = list(
        region_selectors.regions(scope).filter(code__startswith=under.code).exclude(pk=under.pk).defer("geom"))
    by_code = {r.code: r for r in regions}
    # Printed names (official, short, 自治 forms) of current regions; a retired one only where no current one has it.
    by_name: dict[str, list[Region]] = {}
    retired_by_name: dict[str, list[Region]] = {}
    for r in regions:
        for key in name_keys(r.name):
            (by_name if r.retired_in_id is None else retired_by_name).setdefault(key, []).append(r)

    def match(text: str) -> Region | str:
        """The region, or why not."""
        if text in by_code:
            return by_code[text]
        found = by_name.get(text) or retired_by_name.get(text, [])
        # A name repeated at two levels (a county and its seat town): the higher level is meant.
        found = sorted(found, key=lambda r: len(r.code))
        if found and (len(found) == 1 or len(found[0].code) < len(found[1].code)):
            return found[0]
        if len(found) > 1:
            return _("地区“%(name)s”不唯一，请填写区划代码") % {"name": text}
        return _("地区“%(name)s”不存在或不在%(region)s范围内") % {"name": text, "region": under.name}

    return match


# --- responsibility lists -------------------------------------------------------------------------------

_TARGET_COLUMNS = ("region", "leader", "division", "liaison", "task_cases", "task_wan_mu", "key_cases", "key_wan_mu",
                   "total_cases", "total_wan_mu")
_FIGURES = ("task_cases", "task_wan_mu", "key_cases", "key_wan_mu", "total_cases", "total_wan_mu")
_TARGET_LABELS = {
    "task_cases": gettext_lazy("用地任务件数"), "task_wan_mu": gettext_lazy("用地任务面积"),
    "key_cases": gettext_lazy("省重点项目件数"), "key_wan_mu": gettext_lazy("省重点项目面积"),
    "total_cases": gettext_lazy("合计件数"), "total_wan_mu": gettext_lazy("合计面积"),
}
_REGION_HEADERS = ("地区", "市州", "行政区", "县市区", "单位", "区域", "地市")
_TOTAL_LABELS = ("合计", "总计", "全省合计", "全市合计", "全县合计")
# Words that make a header a figure column (a published 湖北 table: 市州报送用地任务宗数, 拟用地面积（万亩）,
# 省级重点项目宗数, 11-12月用地总量（万亩）); a header holding none of them and a region word is the region column.
_CASE_WORDS = ("件", "宗", "个数", "数量")
_AREA_WORDS = ("面积", "万亩")


def _target_key(text: str, group_before: str | None = None) -> str | None:
    """The column a header names. `group_before` is the figure group of the column to its left: a published
    table often prints 拟用地面积（万亩） right after 用地任务宗数, meaning the same group's area."""
    area = any(w in text for w in _AREA_WORDS) or ("总量" in text and "亩" in text)
    cases = any(w in text for w in _CASE_WORDS)
    if any(h in text for h in _REGION_HEADERS) and not (area or cases):
        return "region"
    if "领导" in text:
        return "leader"
    if "处室" in text or "科室" in text:
        return "division"
    if "联络" in text:
        return "liaison"
    if not (area or cases):
        return None
    group = ("key" if "重点" in text else "total" if any(w in text for w in ("合计", "总计", "总量"))
             else "task" if "任务" in text else group_before)
    if group is None:
        return None
    return f"{group}_{'wan_mu' if area else 'cases'}"


def _target_header(rows: list[tuple[int, list[Any], list[str]]]) -> tuple[int, dict[str, int]]:
    """(index of the first data row, column of each key)."""
    for index, (_number, values, _formats) in enumerate(rows[:10]):
        texts = [_norm(v) for v in values]
        if not any(_target_key(t) == "region" for t in texts):
            continue
        columns: dict[str, int] = {}
        below = [_norm(v) for v in rows[index + 1][1]] if index + 1 < len(rows) else []
        two_rows = any(t in ("件数", "件", "宗数", "宗", "面积", "面积万亩", "万亩", "拟用地面积万亩") for t in below)
        group, figure_group = "", None
        for col, text in enumerate(texts):
            group = text or group  # a merged group cell is empty after its first column
            combined = (group if not text or two_rows else "") + text
            if two_rows and col < len(below) and below[col]:
                combined = group + below[col]
            key = _target_key(combined, figure_group)
            if key and key not in columns:
                columns[key] = col
            if key and key.endswith(("cases", "wan_mu")):
                figure_group = key.split("_")[0]
        return index + (2 if two_rows else 1), columns
    raise SheetImportError(
        [_("找不到表头：第一列应为“地区”（或“市州”“县市区”），其后为责任领导、责任处室、件数与面积（万亩）")])


@dataclass
class _TargetRow:
    number: int
    region: Region
    values: dict[str, Any]


@dataclass
class _Figure:
    value: Any  # int for cases, Decimal (4 places) for 万亩
    places: int  # decimals the sheet prints


def _adds_up(where: str, column: str, printed: _Figure, computed: Any, terms: int, what: str,
             warnings: list[str]) -> bool:
    """Whether a printed total agrees with the sum of its `terms` parts. Counts must agree exactly. Areas may differ
    by rounding (see rounding_tolerance): then a warning shows both figures and the computed sum is what is kept."""
    if printed.value == computed:
        return True
    difference = abs(Decimal(printed.value) - Decimal(computed))
    if isinstance(printed.value, Decimal) and difference <= rounding_tolerance(printed.places, terms):
        shown = Decimal(printed.value).quantize(Decimal(1).scaleb(-printed.places))  # as the sheet prints it
        warnings.append(_("%(where)s：%(column)s印为 %(printed)s，%(what)s之和为 %(sum)s，相差 %(diff)s，属四舍五入，"
                          "按计算值 %(sum)s 保存") % {"where": where, "column": column, "printed": shown,
                                               "what": what, "sum": computed, "diff": difference})
        return True
    return False


def import_target_list(path: str | Path, *, actor: User | None, name: str, region: Region, period_start: dt.date,
                       period_end: dt.date, floor_wan_mu: Decimal | None = None, stretch_wan_mu: Decimal | None = None,
                       source_name: str = "", is_synthetic: bool = False) -> TargetList:
    """Import a responsibility list issued by `region` (its rows are regions below it). All or nothing; what it
    accepted with a warning (a total off by rounding) is in the list's `import_warnings`."""
    if actor is not None and not actor.can_manage:
        raise PermissionDenied(_("只有管理员可以导入责任清单。"))
    scope = scope_for(actor) if actor is not None else RegionScope(prefixes=(), unrestricted=True)
    if not scope.contains(region.code):
        raise PermissionDenied(_("%(region)s 不在您的数据范围内。") % {"region": region})
    if period_end < period_start:
        raise SheetImportError([_("截止日期不能早于起始日期")])
    rows = _sheet(path)
    if not rows:
        raise SheetImportError([_("文件是空的")])
    start, columns = _target_header(rows)
    missing = [str(_TARGET_LABELS[k]) for k in ("task_cases", "task_wan_mu") if k not in columns]
    if missing:
        raise SheetImportError([_("缺少列：%(columns)s") % {"columns": "、".join(missing)}])
    match = _region_matcher(scope, region)
    problems: list[str] = []
    warnings: list[str] = []
    parsed: list[_TargetRow] = []
    stated_total: tuple[int, dict[str, _Figure]] | None = None
    seen: dict[str, int] = {}
    for number, cells, formats in rows[start:]:
        def cell(key: str, cells: Sequence[Any] = cells) -> Any:  # the row's cells, bound now (not late)
            col = columns.get(key)
            return cells[col] if col is not None and col < len(cells) else None

        label = str(cell("region") or "").strip()
        where = _("第 %(row)s 行") % {"row": number}
        if not label:
            problems.append(_("%(where)s：缺少地区") % {"where": where})
            continue
        figures: dict[str, _Figure] = {}
        bad = False
        for key in _FIGURES:
            raw = cell(key)
            try:
                value = _decimal(raw)
            except (InvalidOperation, ValueError):
                problems.append(_("%(where)s：%(column)s“%(value)s”不是数字")
                                % {"where": where, "column": _TARGET_LABELS[key], "value": raw})
                bad = True
                continue
            if value < 0:
                problems.append(_("%(where)s：%(column)s不能为负数（%(value)s）")
                                % {"where": where, "column": _TARGET_LABELS[key], "value": raw})
                bad = True
            elif key.endswith("cases") and value != value.to_integral_value():
                problems.append(_("%(where)s：%(column)s必须是整数（%(value)s）")
                                % {"where": where, "column": _TARGET_LABELS[key], "value": raw})
                bad = True
            col = columns.get(key)
            places = printed_places(raw, formats[col] if col is not None and col < len(formats) else "General")
            figures[key] = _Figure(int(value) if key.endswith("cases") else value.quantize(FOUR_PLACES), places)
        if bad:
            continue
        for kind in ("cases", "wan_mu"):
            parts = [figures[f"task_{kind}"].value, figures[f"key_{kind}"].value]
            total = figures[f"total_{kind}"]
            column = _TARGET_LABELS[f"total_{kind}"]
            if columns.get(f"total_{kind}") is not None and not _adds_up(
                    where, str(column), total, sum(parts), len(parts), _("用地任务与省重点项目"), warnings):
                problems.append(_("%(where)s：%(column)s %(total)s 不等于用地任务与省重点项目之和 %(sum)s") % {
                    "where": where, "column": column, "total": total.value, "sum": sum(parts)})
            total.value = sum(parts)
        if _norm(label) in _TOTAL_LABELS:
            stated_total = (number, figures)
            continue
        found = match(label)
        if isinstance(found, str):
            problems.append(f"{where}：{found}")
            continue
        if found.code in seen:
            problems.append(_("%(where)s：地区“%(name)s”与第 %(other)s 行重复")
                            % {"where": where, "name": label, "other": seen[found.code]})
            continue
        seen[found.code] = number
        parsed.append(_TargetRow(number, found, {
            **{k: f.value for k, f in figures.items()}, "leader": str(cell("leader") or "").strip()[:50],
            "division": str(cell("division") or "").strip()[:60], "liaison": str(cell("liaison") or "").strip()[:50]}))
    if not parsed and not problems:
        problems.append(_("没有数据行"))
    sums = {key: sum((r.values[key] for r in parsed), Decimal(0) if key.endswith("wan_mu") else 0) for key in _FIGURES}
    if stated_total is not None and not problems:
        number, stated = stated_total
        where = _("第 %(row)s 行（合计）") % {"row": number}
        for key, figure in stated.items():
            if key in columns and not _adds_up(where, str(_TARGET_LABELS[key]), figure, sums[key], len(parsed),
                                               _("各行"),
                                               warnings):
                problems.append(_("第 %(row)s 行（合计）：%(column)s %(stated)s 与各行之和 %(sum)s 不符") % {
                    "row": number, "column": _TARGET_LABELS[key], "stated": figure.value, "sum": sums[key]})
    if problems:
        raise SheetImportError(problems)
    return _save_target_list(actor, name=name, region=region, period_start=period_start, period_end=period_end,
                             floor_wan_mu=floor_wan_mu, stretch_wan_mu=stretch_wan_mu, source_name=source_name,
                             is_synthetic=is_synthetic, import_warnings=warnings, rows=parsed, sums=sums)


def issuing_region(path: str | Path) -> Region:
    """The region a responsibility list was issued by, judged from the regions its rows name: the deepest region
    that holds a region of every row's name (湖北 for a table of 市州 and 省直管市). For the command line, which is
    given a file and nothing else; the web form asks for the region instead."""
    rows = _sheet(path)
    start, columns = _target_header(rows) if rows else (0, {})
    labels = {_norm(values[columns["region"]]) for _n, values, _f in rows[start:]
              if "region" in columns and columns["region"] < len(values)
                  and values[columns["region"]] not in (None, "")}
    labels -= set(_TOTAL_LABELS)
    by_key: dict[str, set[str]] = {}
    for code, name in Region.objects.filter(retired_in__isnull=True).values_list("code", "name"):
        for key in name_keys(name) | {code}:
            by_key.setdefault(key, set()).add(code)
    common: set[str] | None = None
    for label in labels:
        holders = {code[:n] for code in by_key.get(label, ()) for n in sorted(CODE_LENGTH_LEVEL) if n < len(code)}
        common = holders if common is None else common & holders
    if not common:
        raise SheetImportError([_("无法从各行地区判断下达单位：请指定下达单位的区划代码")])
    return Region.objects.get(code=max(common, key=len), retired_in__isnull=True)


@transaction.atomic
def _save_target_list(actor: User | None, *, rows: list[_TargetRow], sums: dict[str, Any], **values: Any) -> TargetList:
    region = values["region"]
    target_list = TargetList.objects.create(region_code=region.code, total_cases=sums["total_cases"],
                                            total_wan_mu=sums["total_wan_mu"],
                                            imported_by=actor if getattr(actor, "pk", None) else None,
                                            **values)
    Target.objects.bulk_create(
        [Target(target_list=target_list, row=r.number, region=r.region, region_code=r.region.code,
                                       **{k: r.values[k] for k in _TARGET_COLUMNS if k != "region"}) for r in rows])
    audit.record(actor=actor, action=AuditEntry.Action.IMPORT, target=target_list, region_code=region.code,
                 note=Note(gettext_lazy("导入 %(count)s 个地区，合计 %(cases)s 件、%(area)s 万亩"), {
                     "count": len(rows), "cases": sums["total_cases"], "area": sums["total_wan_mu"]}))
    return target_list


# --- the project ledger (项目台账) ------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerColumn:
    key: str
    header: str  # the standard header, used by the export
    synonyms: tuple[str, ...] = ()
    required: bool = False


LEDGER_COLUMNS: tuple[LedgerColumn, ...] = (
    LedgerColumn("name", "项目名称", ("项目", "名称"), required=True),
    LedgerColumn("level", "项目级别", ("级别", "项目类别", "类别"), required=True),
    LedgerColumn("region", "所在地区", ("行政区", "地区", "所在乡镇", "乡镇", "区划代码", "项目位置"), required=True),
    LedgerColumn("headquarters", "作战指挥部", ("指挥部",)),
    LedgerColumn("service_group", "服务组", ("服务小组", "跟踪小组")),
    LedgerColumn("service_team", "服务专班", ("专班",)),
    LedgerColumn("owner", "建设单位", ("项目单位", "业主单位", "建设主体")),
    LedgerColumn("investment_wan", "总投资（万元）", ("总投资", "投资额（万元）", "投资")),
    LedgerColumn("planned_start", "计划开工日期", ("计划开工", "开工时间", "计划开工时间")),
    LedgerColumn("land_demand_mu", "用地需求（亩）", ("用地面积（亩）", "用地规模（亩）", "用地需求")),
    LedgerColumn("leader", "包保领导", ("责任领导", "分包领导")),
    LedgerColumn("plan", "服务方案", ("保障措施", "推进计划")),
)
_LEVELS = {"国家": Project.Level.NATIONAL, "省": Project.Level.PROVINCIAL, "市": Project.Level.MUNICIPAL,
           "县": Project.Level.COUNTY, "区": Project.Level.COUNTY}


@dataclass
class LedgerReport:
    mapping: dict[str, str]  # standard header → the source header used
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    rows: int = 0
    dry_run: bool = False

    @property
    def imported(self) -> bool:
        return not self.problems and not self.dry_run


def resolve_ledger_mapping(headers: Sequence[Any], chosen: Mapping[str, str]) -> tuple[dict[str, int], list[str]]:
    """Column index for each ledger key: the user's choice of header, else the standard header or a synonym."""
    texts = [_norm(h) for h in headers]
    columns: dict[str, int] = {}
    problems = []
    for column in LEDGER_COLUMNS:
        wanted = chosen.get(column.key, "").strip()
        if wanted:
            if _norm(wanted) not in texts:
                problems.append(_("找不到列“%(header)s”（%(field)s）") % {"header": wanted, "field": column.header})
                continue
            columns[column.key] = texts.index(_norm(wanted))
            continue
        for candidate in (column.header, *column.synonyms):
            if _norm(candidate) in texts and texts.index(_norm(candidate)) not in columns.values():
                columns[column.key] = texts.index(_norm(candidate))
                break
        if column.required and column.key not in columns:
            problems.append(_("缺少必填列“%(header)s”：请在列对应中指定") % {"header": column.header})
    return columns, problems


def _level(text: str) -> str | None:
    text = _norm(text)
    for value, label in Project.Level.choices:
        if text in (value, _norm(label)):
            return value
    return next((level for prefix, level in _LEVELS.items() if text.startswith(prefix)), None)


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", str(value).strip())
    if not match:
        raise ValueError(value)
    return dt.date(*map(int, match.groups()))


def import_ledger(path: str | Path, *, actor: User | None, mapping: Mapping[str, str] | None = None,
                  dry_run: bool = False) -> LedgerReport:
    """Check a project ledger and, unless dry_run or something is wrong, import it in one transaction."""
    if actor is not None and not services.can_work(actor):
        raise PermissionDenied(_("您的角色不能办理项目事务。"))
    scope = scope_for(actor) if actor is not None else RegionScope(prefixes=(), unrestricted=True)
    rows = _rows(path)
    if not rows:
        raise SheetImportError([_("文件是空的")])
    header_number, headers = rows[0]
    columns, problems = resolve_ledger_mapping(headers, mapping or {})
    report = LedgerReport(mapping={c.header: str(headers[columns[c.key]]) for c in LEDGER_COLUMNS if c.key in columns},
                          problems=problems, dry_run=dry_run)
    if problems:
        return report
    root = region_selectors.scope_root(scope)
    regions = list(region_selectors.regions(scope).defer("geom")) if not scope.unrestricted else []
    groups = list(selectors.service_groups(scope))
    entries = list(_ledger_entries(rows[1:], columns, scope, regions, groups, root, report))
    report.rows = len(entries)
    if report.problems or dry_run:
        return report
    with transaction.atomic():
        for values in entries:
            existing = selectors.projects(scope).filter(name=values["name"], region=values["region"]).first()
            region = values.pop("region")
            if existing is not None:
                services.update_project(actor=actor, project=existing, **values)
                report.updated.append(values["name"])
            else:
                services.create_project(actor=actor, region=region, **values)
                report.created.append(values["name"])
    return report


def _ledger_entries(rows: list[tuple[int, list[Any]]], columns: dict[str, int], scope: RegionScope,
                    regions: list[Region],
                    groups: list[ServiceGroup], root: Region | None, report: LedgerReport) -> Iterator[dict[str, Any]]:
    by_code = {r.code: r for r in regions}
    by_name: dict[str, list[Region]] = {}
    for r in regions:
        by_name.setdefault(r.name, []).append(r)
    names_seen: dict[tuple[str, str], int] = {}
    for number, cells in rows:
        def cell(key: str, cells: Sequence[Any] = cells) -> Any:  # the row's cells, bound now (not late)
            col = columns.get(key)
            return cells[col] if col is not None and col < len(cells) else None

        where = _("第 %(row)s 行") % {"row": number}
        before = len(report.problems)

        def fail(message: str, where: str = where) -> None:
            report.problems.append(f"{where}：{message}")

        name = str(cell("name") or "").strip()
        if not name:
            fail(_("缺少项目名称"))
        level = _level(str(cell("level") or ""))
        if level is None:
            fail(_("项目级别“%(value)s”无法识别（国家/省/市/县重点项目）") % {"value": cell("level") or ""})
        region_text = str(cell("region") or "").strip()
        region = by_code.get(region_text) or (by_name.get(region_text) or [None])[0]
        if region is None and scope.unrestricted:
            region = Region.objects.filter(retired_in__isnull=True).filter(code=region_text).first()
        if region is None and not region_text and root is not None:
            region = root
        if region is None:
            fail(_("地区“%(value)s”不存在或不在您的数据范围内") % {"value": region_text})
        values: dict[str, Any] = {"name": name[:120], "level": level, "region": region}
        group_text = str(cell("service_group") or "").strip()
        hq_text = str(cell("headquarters") or "").strip()
        if group_text or hq_text:
            group = next(
                (g for g in groups if (group_text and g.name == group_text)
                 or (not group_text and g.headquarters == hq_text)), None)
            if group is None:
                fail(_("服务组“%(group)s”（指挥部“%(hq)s”）不存在")
                     % {"group": group_text or "—", "hq": hq_text or "—"})
            values["service_group"] = group
        for key in ("service_team", "owner", "leader", "plan"):
            if key in columns:
                values[key] = str(cell(key) or "").strip()
        try:
            if cell("investment_wan") not in (None, ""):
                values["investment_wan"] = _decimal(cell("investment_wan")).quantize(Decimal("0.01"))
                if values["investment_wan"] < 0:
                    fail(_("总投资不能为负数"))
        except (InvalidOperation, ValueError):
            fail(_("总投资“%(value)s”不是数字") % {"value": cell("investment_wan")})
        try:
            if cell("land_demand_mu") not in (None, ""):
                mu = _decimal(cell("land_demand_mu"))
                if mu < 0:
                    fail(_("用地需求不能为负数"))
                values["land_demand_ha"] = services.hectares_from_mu(mu)
        except (InvalidOperation, ValueError):
            fail(_("用地需求“%(value)s”不是数字") % {"value": cell("land_demand_mu")})
        if cell("planned_start") not in (None, ""):
            try:
                values["planned_start"] = _date(cell("planned_start"))
            except ValueError:
                fail(_("计划开工日期“%(value)s”不是日期（如 2025-06-30）") % {"value": cell("planned_start")})
        if name and region is not None:
            key = (name, region.code)
            if key in names_seen:
                fail(_("项目“%(name)s”与第 %(other)s 行重复") % {"name": name, "other": names_seen[key]})
            names_seen[key] = number
        if len(report.problems) == before:
            yield values


def ledger_headers() -> list[str]:
    return [c.header for c in LEDGER_COLUMNS]


def ledger_row(project: Project) -> list[Any]:
    """A project as a ledger row, in LEDGER_COLUMNS order (what import_ledger reads back)."""
    mu = None if project.land_demand_ha is None else float((project.land_demand_ha * 15).quantize(Decimal("0.01")))
    return [project.name, project.get_level_display(), project.region.code, project.headquarters,
            project.service_group.name if project.service_group else "", project.service_team, project.owner,
            float(project.investment_wan) if project.investment_wan is not None else None, project.planned_start, mu,
            project.leader, project.plan]
