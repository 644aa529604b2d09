"""Importing division code tables (民政部 / 统计局) into Region; boundaries are imported by
landguard.regions.boundary_import, which shares this module's report and error.

Both importers validate everything first and then write inside one transaction, so a bad row or feature
raises RegionImportError (in Chinese, naming the row/feature and field) and leaves the database untouched.

Code tables are editions: importing a newer one compares it with the current regions it covers and records
what changed as CodeChange rows (renamed / recoded / created / abolished). Retired rows are kept and point at
their successor, so users, org units and records filed under an old code keep working (Region.current(),
landguard.core.scope.scope_codes).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from landguard.audit.models import AuditEntry
from landguard.audit.services import record
from landguard.audit.notes import Note
from landguard.regions.models import CODE_LENGTH_LEVEL, CodeChange, Edition, Level, Region
from landguard.regions.services import inherit_boundary

Progress = Callable[[int, int], None] | None


class RegionImportError(Exception):
    """A code table or boundary file that cannot be imported; the message says where and why, in Chinese."""


@dataclass
class ImportReport:
    edition: str
    created: int = 0
    updated: int = 0
    recoded: list[tuple[str, str, str, str]] = field(default_factory=list)  # (old_code, old_name, new_code, new_name)
    retired: int = 0
    boundaries: int = 0
    repaired: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The report as Chinese text lines (management commands, task logs)."""
        out = [_("版本：%(edition)s") % {"edition": self.edition},
               _("新增 %(created)s，更新 %(updated)s，代码变更 %(recoded)s，停用 %(retired)s，边界 %(boundaries)s")
               % {"created": self.created, "updated": self.updated, "recoded": len(self.recoded),
                  "retired": self.retired, "boundaries": self.boundaries}]
        out += [_("代码变更：%(old_name)s（%(old_code)s）→ %(new_name)s（%(new_code)s）")
                % {"old_code": o, "old_name": on, "new_code": n, "new_name": nn} for o, on, n, nn in self.recoded]
        out += [_("几何修复：%(item)s") % {"item": item} for item in self.repaired]
        out += [_("提示：%(item)s") % {"item": item} for item in self.warnings]
        return out


# =====================================================================================================
# Code tables
# =====================================================================================================
@dataclass
class _Row:
    code: str
    name: str
    kind: str
    parent: str | None
    line: int
    file: str = ""  # set for multi-file NBS tables, so the message names the file

    @property
    def where(self) -> str:
        """"第 12 行" / "streets.csv 第 12 行", built only for a message (gettext per row is slow on 40 000 rows)."""
        return _where(self.file, self.line)

    @property
    def level(self) -> int:
        return CODE_LENGTH_LEVEL[len(self.code)]


NBS_FILES = {  # file → (level, parent column)
    "provinces.csv": (Level.PROVINCE, None),
    "cities.csv": (Level.CITY, "provinceCode"),
    "areas.csv": (Level.COUNTY, "cityCode"),
    "streets.csv": (Level.TOWNSHIP, "areaCode"),
    "villages.csv": (Level.VILLAGE, "streetCode"),
}
MCA_COLUMNS = {"code", "name", "level", "parent_code"}
LEVEL_LENGTH = {level: length for length, level in CODE_LENGTH_LEVEL.items()}

_ETHNIC = ("蒙古|回|藏|维吾尔|苗|彝|壮|布依|朝鲜|满|侗|瑶|白|土家|哈尼|哈萨克|傣|黎|傈僳|佤|畲|高山|拉祜|水|东"
           "乡|纳西|景颇|"
           "柯尔克孜|土|达斡尔|仫佬|羌|布朗|撒拉|毛南|仡佬|锡伯|阿昌|普米|塔吉克|怒|乌孜别克|俄罗斯|鄂温克|德昂|保安|裕固|京|"
           "塔塔尔|独龙|鄂伦春|赫哲|门巴|珞巴|基诺")
_STEM = re.compile(
    rf"^(?P<stem>.+?)(?:(?:{_ETHNIC})族)*(?:民族)?"
    r"(?:街道办事处|地区办事处|办事处|街道|苏木|乡|镇|自治县|自治旗|自治州|自治区|特别行政区|地区|林区|特区|矿区|县|区|市|旗|盟|省)$"
)


def name_stem(name: str) -> str:
    """A division name without its type suffix, so 万善乡 and 万善镇 (or 茌平县 and 茌平区) compare equal.

    A town named after a town keeps both suffixes in MCA (梁水镇镇, NBS: 梁水镇), so a remaining 镇/乡 is
    stripped once more when at least two characters are left.
    """
    stem = name.strip()
    for _round in range(2):
        match = _STEM.match(stem)
        if not match or (_round and len(match.group("stem")) < 2):
            break
        stem = match.group("stem")
        if not stem.endswith(("镇", "乡")):
            break
    return stem


def _kind_from_name(name: str, level: int) -> str:
    """NBS tables have no type column; derive the MCA type vocabulary from the name's suffix."""
    if name in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"):
        return name
    table = {
        Level.PROVINCE: (("特别行政区", "特别行政区"), ("自治区", "自治区"), ("省", "省"), ("市", "直辖市")),
        Level.CITY: (("自治州", "自治州"), ("地区", "地区"), ("盟", "盟"), ("市", "地级市")),
        Level.COUNTY: (("自治县", "自治县"), ("自治旗", "自治旗"), ("林区", "林区"), ("特区", "特区"), ("区", "市辖区"),
                       ("县", "县"), ("旗", "旗"), ("市", "县级市")),
        Level.TOWNSHIP: (("街道办事处", "街道"), ("街道", "街道"), ("民族乡", "民族乡"), ("族乡", "民族乡"),
                         ("民族苏木", "民族苏木"), ("苏木", "苏木"), ("镇", "镇"), ("乡", "乡"), ("农场", "农场"),
                         ("区公所", "区公所")),
        Level.VILLAGE: (("社区居委会", "社区居委会"), ("居委会", "社区居委会"), ("社区", "社区居委会"),
                        ("村委会", "村委会"), ("村", "村委会")),
    }
    return next((kind for suffix, kind in table.get(level, ()) if name.endswith(suffix)), "")


def _read_csv(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Header and (line number, row) pairs. UTF-8 (with or without BOM), else GB18030 (Excel exports)."""
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise RegionImportError(_("%(file)s：无法识别文件编码（应为 UTF-8 或 GBK）") % {"file": path.name})
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    rows = [(reader.line_num, {k: (v or "").strip() for k, v in row.items() if k is not None}) for row in reader]
    return header, rows


def _detect_format(path: Path) -> str:
    if path.is_dir():
        return "nbs"
    if not path.is_file():
        raise RegionImportError(_("文件不存在：%(path)s") % {"path": path})
    if path.suffix.lower() != ".csv":
        raise RegionImportError(
            _("不支持的代码表文件类型 %(suffix)s：应为民政部 region.csv 或统计局 provinces/cities/areas/streets.csv")
                                % {"suffix": path.suffix or path.name})
    header, _rows = _read_csv(path)
    if MCA_COLUMNS <= set(header):
        return "mca"
    if path.name in NBS_FILES and header[:2] == ["code", "name"]:
        return "nbs"
    raise RegionImportError(
        _("无法识别代码表格式（表头：%(header)s）：应为民政部 region.csv 或统计局 provinces/cities/areas/streets.csv")
                            % {"header": ",".join(header)})


def _require_columns(header: list[str], needed: set[str], label: str) -> None:
    missing = sorted(needed - set(header))
    if missing:
        raise RegionImportError(_("%(file)s：缺少列 %(columns)s") % {"file": label, "columns": "、".join(missing)})


def _parse_mca(path: Path) -> list[_Row]:
    header, rows = _read_csv(path)
    _require_columns(header, MCA_COLUMNS, path.name)
    out = []
    for line, row in rows:
        code = row["code"]
        _check_code(code, "", line, "code")
        level = row["level"]
        if len(code) in CODE_LENGTH_LEVEL and level != str(int(CODE_LENGTH_LEVEL[len(code)])):
            raise RegionImportError(_("%(where)s：级别“%(level)s”与区划代码 %(code)s 的位数不符")
                                    % {"where": _where("", line), "level": level, "code": code})
        out.append(_Row(code, row["name"], row.get("type", ""), row["parent_code"] or None, line))
    return out


def _nbs_code(code: str, level: int) -> str:
    """NBS publishes 12-digit codes padded with zeros (371525001000); store the short form (371525001)."""
    length = LEVEL_LENGTH[level]
    if len(code) == 12 and length < 12 and code[length:] == "0" * (12 - length):
        return code[:length]
    return code


def _parse_nbs(path: Path) -> list[_Row]:
    files = [path / name for name in NBS_FILES if (path / name).is_file()] if path.is_dir() else [path]
    if not files:
        raise RegionImportError(_("目录 %(path)s 中没有统计局代码表（provinces/cities/areas/streets.csv）")
                                % {"path": path})
    out = []
    for file in files:
        if file.name not in NBS_FILES:
            raise RegionImportError(_("%(file)s 不是统计局代码表（应为 provinces/cities/areas/streets.csv）")
                                    % {"file": file.name})
        level, parent_column = NBS_FILES[file.name]
        header, rows = _read_csv(file)
        _require_columns(header, {"code", "name"} | ({parent_column} if parent_column else set()), file.name)
        for line, row in rows:
            _check_code(row["code"], file.name, line, "code")
            code = _nbs_code(row["code"], level)
            if len(code) != LEVEL_LENGTH[level]:
                raise RegionImportError(_("%(where)s：区划代码 %(code)s 的位数与 %(file)s 的级别不符")
                                        % {"where": _where(file.name, line), "code": code, "file": file.name})
            parent = row.get(parent_column, "") if parent_column else ""
            if parent:
                _check_code(parent, file.name, line, "parent")
                parent = _nbs_code(parent, level - 1)
            out.append(_Row(code, row["name"], _kind_from_name(row["name"], level), parent or None, line, file.name))
    return out


def _where(file: str, line: int) -> str:
    return _("%(file)s 第 %(row)s 行") % {"file": file, "row": line} if file else _("第 %(row)s 行") % {"row": line}


def _check_code(code: str, file: str, line: int, field: str) -> None:
    if not (code.isascii() and code.isdigit() and len(code) in CODE_LENGTH_LEVEL):
        raise RegionImportError(_("%(where)s：%(field)s“%(code)s”格式错误（应为 2、4、6、9 或 12 位数字）")
                                % {"where": _where(file, line),
                                   "field": _("上级代码") if field == "parent" else _("区划代码"), "code": code})


def _validate(rows: list[_Row], wanted: Callable[[str], bool]) -> None:
    """Every row: name present, code unique, parent a prefix one level up (county-level units may sit directly
    under their province: 直辖市 districts and 省直辖县级市 in the MCA table). Parents must exist only for the
    rows being imported (the file, or the database for a partial table such as streets.csv alone)."""
    seen: dict[str, _Row] = {}
    codes = {row.code for row in rows}
    missing_parents: dict[str, _Row] = {}
    for row in rows:
        if not row.name:
            raise RegionImportError(_("%(where)s：名称为空") % {"where": row.where})
        if row.code in seen:
            raise RegionImportError(_("%(where)s：区划代码 %(code)s 重复（%(first)s 已出现）")
                                    % {"where": row.where, "code": row.code, "first": seen[row.code].where})
        seen[row.code] = row
        if row.level == Level.PROVINCE:
            if row.parent:
                raise RegionImportError(_("%(where)s：省级区划 %(code)s 不应有上级代码")
                                        % {"where": row.where, "code": row.code})
            continue
        if not row.parent:
            raise RegionImportError(_("%(where)s：上级代码为空") % {"where": row.where})
        _check_code(row.parent, row.file, row.line, "parent")
        step = row.level - CODE_LENGTH_LEVEL[len(row.parent)]
        if not row.code.startswith(row.parent) or not (step == 1 or (step == 2 and row.level == Level.COUNTY)):
            raise RegionImportError(_("%(where)s：上级代码 %(parent)s 不是区划代码 %(code)s 的上一级")
                                    % {"where": row.where, "parent": row.parent, "code": row.code})
        if wanted(row.code) and row.parent not in codes:
            missing_parents[row.parent] = row
    if missing_parents:
        found = set(_current_by_code(set(missing_parents)))
        for parent, row in missing_parents.items():
            if parent not in found:
                raise RegionImportError(_("%(where)s：上级代码 %(parent)s 不存在")
                                        % {"where": row.where, "parent": parent})


def _current_by_code(codes: set[str], batch: int = 500) -> dict[str, Region]:
    ordered = sorted(codes)
    found: dict[str, Region] = {}
    for start in range(0, len(ordered), batch):
        found.update((r.code, r)
                     for r in Region.objects.filter(retired_in__isnull=True, code__in=ordered[start:start + batch]))
    return found


def _check_prefix(prefix: str) -> None:
    if prefix and not (prefix.isdigit() and len(prefix) in CODE_LENGTH_LEVEL):
        raise RegionImportError(_("范围代码“%(prefix)s”格式错误（应为 2、4、6、9 或 12 位数字）") % {"prefix": prefix})


def _check_chronology(name: str, published: dt.date | None, prefix: str) -> None:
    """An older edition imported after a newer one covering the same area would undo its changes."""
    if published is None:
        return
    for later in Edition.objects.filter(published__gt=published).exclude(name=name):
        for cover in later.report.get("coverage", []):
            other = cover.get("prefix", "")
            if other.startswith(prefix) or prefix.startswith(other):
                raise RegionImportError(
                    _("版本 %(name)s（%(date)s）早于已导入的 %(later)s（%(later_date)s）：请按发布时间顺序导入")
                                        % {"name": name, "date": published, "later": later.name,
                                           "later_date": later.published})


def import_code_table(path, *, edition: str, published: dt.date | None = None, source: str = "", fmt: str | None = None,
                      prefix: str = "", actor=None, progress: Progress = None) -> ImportReport:
    """Import one edition of the division code table (all of it, or `prefix` and its ancestors)."""
    path = Path(path)
    prefix = prefix.strip()
    _check_prefix(prefix)
    if not edition.strip():
        raise RegionImportError(_("必须指定版本名称"))
    fmt = fmt or _detect_format(path)
    if fmt not in ("mca", "nbs"):
        raise RegionImportError(_("未知的代码表格式“%(fmt)s”：应为 mca 或 nbs") % {"fmt": fmt})
    if not path.exists():
        raise RegionImportError(_("文件不存在：%(path)s") % {"path": path})
    rows = _parse_mca(path) if fmt == "mca" else _parse_nbs(path)

    def wanted(code: str) -> bool:
        return code.startswith(prefix) or prefix.startswith(code)

    _validate(rows, wanted)
    kept = [row for row in rows if wanted(row.code)]
    if not kept:
        raise RegionImportError(_("代码表中没有以 %(prefix)s 开头的区划") % {"prefix": prefix})
    with transaction.atomic():
        _check_chronology(edition, published, prefix)
        return _EditionImport(kept, edition, published, source, prefix, actor, progress).run()


class _EditionImport:
    """Compare an edition's rows with the current regions it covers, level by level, and write the changes."""

    def __init__(self, rows: list[_Row], name: str, published: dt.date | None, source: str, prefix: str, actor,
                 progress: Progress):
        self.rows, self.prefix, self.actor, self.progress = rows, prefix, actor, progress
        self.name, self.published, self.source = name, published, source
        self.report = ImportReport(edition=name)
        # Coverage: levels the file has under the prefix. Regions there that the edition lacks are retired.
        self.levels = sorted({row.level for row in rows if row.code.startswith(prefix)})
        self.changes: list[tuple[str, Region | None, Region | None, str, str, str, str, str]] = []

    def run(self) -> ImportReport:
        self.edition, created = Edition.objects.get_or_create(
            name=self.name, defaults={"published": self.published, "source": self.source[:200]})
        if not created and self.published and self.edition.published and self.edition.published != self.published:
            raise RegionImportError(_("版本 %(name)s 已存在，发布日期为 %(date)s")
                                    % {"name": self.name, "date": self.edition.published})
        levels_in_file = sorted({row.level for row in self.rows})
        file_codes = {row.code for row in self.rows}
        parent_codes = {row.parent for row in self.rows if row.parent and row.parent not in file_codes}
        # Everything under the prefix in one query; ancestors and outside parents by code, in batches (a
        # national table has 42,000 codes, more than SQLite allows as parameters of one IN).
        under = Region.objects.filter(retired_in__isnull=True, code__startswith=self.prefix, level__in=levels_in_file)
        self.current: dict[str, Region] = {r.code: r for r in under}
        outside = {code for code in file_codes | parent_codes if not code.startswith(self.prefix)
                   or code in parent_codes}
        self.current.update(_current_by_code(outside - set(self.current)))
        self.successor_of: dict[int, Region] = {}
        by_level: dict[int, list[_Row]] = defaultdict(list)
        for row in self.rows:
            by_level[row.level].append(row)
        done = 0
        for level in levels_in_file:
            self._level(level, by_level[level])
            done += len(by_level[level])
            if self.progress:
                self.progress(done, len(self.rows))
        self._finish(created)
        return self.report

    def _level(self, level: int, rows: list[_Row]) -> None:
        """Match one level of the edition against the current regions it covers, then write the differences.

        Matching, in order: same code and name (unchanged); same parent and name stem (万善乡 → 万善镇: renamed
        if the code is the same, recoded if not); same code with another name (renamed). What is left is
        abolished (old) or created (new). Name before code matters: MCA and NBS number the townships of a
        county differently, so the same code can stand for another township (东昌府区 002/003 are swapped).
        """
        covered = level in self.levels
        olds = {code: r for code,
                r in self.current.items() if covered and r.level == level and code.startswith(self.prefix)}
        # Parents that already had current children at this level: a region new under them is a real 新设.
        known_parents = {r.parent_id for r in olds.values()}
        parent_of = {row.code: self.current.get(row.parent) if row.parent else None for row in rows}
        keep: list[tuple[_Row, Region]] = []
        recode: list[tuple[Region, _Row]] = []
        pending: dict[str, _Row] = {}
        for row in rows:
            region = self.current.get(row.code)
            if region is not None and (row.code not in olds or olds[row.code].name == row.name):
                keep.append((row, region))  # unchanged, or an ancestor of the prefix outside the coverage
                olds.pop(row.code, None)
            else:
                pending[row.code] = row

        def parent_now(old: Region) -> int | None:
            return self.successor_of[old.parent_id].pk if old.parent_id in self.successor_of else old.parent_id

        pools: dict[tuple[int | None, str], list[_Row]] = defaultdict(list)
        for row in pending.values():
            parent = parent_of[row.code]
            pools[(parent.pk if parent else None, name_stem(row.name))].append(row)
        for old in sorted(olds.values(), key=lambda r: r.code):
            pool = pools.get((parent_now(old), name_stem(old.name)), [])
            match = (next((r for r in pool if r.code == old.code), None)
                     or next((r for r in pool if r.name == old.name), None)
                     or (pool[0] if len(pool) == 1 else None))
            if match is None:
                continue
            pool.remove(match)
            del pending[match.code], olds[old.code]
            if match.code == old.code:
                keep.append((match, old))
            else:
                recode.append((old, match))
        for code in [code for code in pending if code in olds]:
            keep.append((pending.pop(code), olds.pop(code)))
        abolished = list(olds.values())

        for row, region in keep:
            self._update(region, row, parent_of[row.code])
        # Retire first: a new row may take a code the old edition gave to another region (partial unique index).
        for old in [old for old, _row in recode] + abolished:
            old.retired_in = self.edition
            old.save(update_fields=["retired_in"])
            del self.current[old.code]
        self.report.retired += len(recode) + len(abolished)
        new = {code: Region(code=code, name=row.name, level=level, kind=row.kind[:30], parent=parent_of[code],
                            first_edition=self.edition)
               for code, row in [(row.code, row) for _old, row in recode] + list(pending.items())}
        Region.objects.bulk_create(new.values(), batch_size=500)
        self.current.update(new)
        self.report.created += len(pending)
        for old, row in recode:
            self._recode(old, new[row.code])
        for old in abolished:
            self._change(CodeChange.Kind.ABOLISHED, old, None, old.name, "")
        for code in pending:
            if new[code].parent_id in known_parents:
                self._change(CodeChange.Kind.CREATED, None, new[code], "", new[code].name)

    def _update(self, region: Region, row: _Row, parent: Region | None) -> None:
        fields = []
        if region.name != row.name:
            self._change(CodeChange.Kind.RENAMED, region, region, region.name, row.name)
            region.name = row.name
            fields.append("name")
        if row.kind and region.kind != row.kind[:30]:
            region.kind = row.kind[:30]
            fields.append("kind")
        if parent is not None and region.parent_id != parent.pk:
            region.parent = parent
            fields.append("parent")
        if fields:
            region.save(update_fields=fields)
            self.report.updated += 1

    def _recode(self, old: Region, successor: Region) -> None:
        old.successor = successor
        old.save(update_fields=["successor"])
        self.successor_of[old.pk] = successor
        self._change(CodeChange.Kind.RECODED, old, successor, old.name, successor.name)
        self.report.recoded.append((old.code, old.name, successor.code, successor.name))
        if inherit_boundary(successor, old):
            self.report.warnings.append(_("%(new)s（%(new_code)s）沿用原 %(old)s（%(old_code)s）的边界")
                                        % {"new": successor.name, "new_code": successor.code, "old": old.name,
                                           "old_code": old.code})
        # Children the edition does not list (e.g. villages under a township) follow their township.
        Region.objects.filter(parent=old, retired_in__isnull=True).update(parent=successor)
        for region in self.current.values():  # keep the loaded rows in step with the UPDATE above
            if region.parent_id == old.pk:
                region.parent = successor

    def _change(self, kind: str, old: Region | None, new: Region | None, old_name: str, new_name: str) -> None:
        surviving = new or old
        assert surviving is not None
        change = CodeChange.objects.create(
            edition=self.edition, kind=kind, old_region=old, new_region=new, old_code=old.code if old else "",
            old_name=old_name, new_code=new.code if new else "", new_name=new_name, region_code=surviving.code)
        values: dict[str, list[Any]] = {}
        if change.old_code != change.new_code:
            values["code"] = [change.old_code or None, change.new_code or None]
        if old_name != new_name:
            values["name"] = [old_name or None, new_name or None]
        if kind in (CodeChange.Kind.RECODED, CodeChange.Kind.ABOLISHED):
            values["retired_in"] = [None, self.edition.name]
        action = AuditEntry.Action.IMPORT if kind == CodeChange.Kind.CREATED else AuditEntry.Action.STATE
        record(actor=self.actor, action=action, target=old or surviving, region_code=surviving.code, changes=values,
               note=Note(gettext_lazy("%(edition)s：%(kind)s"),
                         {"edition": self.edition.name, "kind": CodeChange.Kind(change.kind).label}))

    def _finish(self, created: bool) -> None:
        orphans = (Region.objects.filter(retired_in__isnull=True, parent__retired_in=self.edition,
                                         parent__successor__isnull=True)
                   .values_list("parent__code", "parent__name").distinct())
        for code, name in orphans:
            self.report.warnings.append(_("%(name)s（%(code)s）已撤销，但仍有下级区划未在本版本中出现，请核对")
                                        % {"name": name, "code": code})
        report = dict(self.edition.report or {})
        coverage = report.setdefault("coverage", [])
        cover = {"prefix": self.prefix, "levels": self.levels}
        # A prefix inside one this edition already covered at the same levels adds nothing (idempotent).
        known = any(self.prefix.startswith(c["prefix"]) and set(self.levels) <= set(c["levels"]) for c in coverage)
        changed = any((self.report.created, self.report.updated, self.report.retired))
        if not known or changed or created:
            if not known:
                coverage.append(cover)
            report.setdefault("runs", []).append(asdict(self.report))
            self.edition.report = report
            self.edition.save(update_fields=["report"])
            record(actor=self.actor, action=AuditEntry.Action.IMPORT, target=self.edition, region_code=self.prefix,
                   note=Note(
                       gettext_lazy("导入区划代码表 %(edition)s：新增 %(created)s，更新 %(updated)s，停用 %(retired)s"),
                       {"edition": self.edition.name, "created": self.report.created,
                        "updated": self.report.updated, "retired": self.report.retired}))
        elif not changed:
            self.report.warnings.append(_("版本 %(edition)s 已导入过，没有变化") % {"edition": self.edition.name})
