"""Importing division code tables (民政部 / 统计局) and boundaries (GeoJSON, Shapefile) into Region.

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
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from pyogrio.raw import read as ogr_read
import shapely
from django.db import transaction
from django.utils.translation import gettext as _

from landguard.audit.models import AuditEntry
from landguard.audit.services import record
from landguard.core import crs as crsmod
from landguard.core.geodesy import ellipsoidal_area_m2
from landguard.core.scope import RegionScope
from landguard.layers.readers import LayerReadError, unpacked_upload
from landguard.regions.models import CODE_LENGTH_LEVEL, CodeChange, Edition, Level, Region
from landguard.regions.services import inherit_boundary, set_boundary

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

_ETHNIC = ("蒙古|回|藏|维吾尔|苗|彝|壮|布依|朝鲜|满|侗|瑶|白|土家|哈尼|哈萨克|傣|黎|傈僳|佤|畲|高山|拉祜|水|东乡|纳西|景颇|"
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
                         ("民族苏木", "民族苏木"), ("苏木", "苏木"), ("镇", "镇"), ("乡", "乡"), ("农场", "农场"), ("区公所", "区公所")),
        Level.VILLAGE: (("社区居委会", "社区居委会"), ("居委会", "社区居委会"), ("社区", "社区居委会"), ("村委会", "村委会"), ("村", "村委会")),
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
        raise RegionImportError(_("不支持的代码表文件类型 %(suffix)s：应为民政部 region.csv 或统计局 provinces/cities/areas/streets.csv")
                                % {"suffix": path.suffix or path.name})
    header, _rows = _read_csv(path)
    if MCA_COLUMNS <= set(header):
        return "mca"
    if path.name in NBS_FILES and header[:2] == ["code", "name"]:
        return "nbs"
    raise RegionImportError(_("无法识别代码表格式（表头：%(header)s）：应为民政部 region.csv 或统计局 provinces/cities/areas/streets.csv")
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
        raise RegionImportError(_("目录 %(path)s 中没有统计局代码表（provinces/cities/areas/streets.csv）") % {"path": path})
    out = []
    for file in files:
        if file.name not in NBS_FILES:
            raise RegionImportError(_("%(file)s 不是统计局代码表（应为 provinces/cities/areas/streets.csv）") % {"file": file.name})
        level, parent_column = NBS_FILES[file.name]
        header, rows = _read_csv(file)
        _require_columns(header, {"code", "name"} | ({parent_column} if parent_column else set()), file.name)
        for line, row in rows:
            _check_code(row["code"], file.name, line, "code")
            code = _nbs_code(row["code"], level)
            if len(code) != LEVEL_LENGTH[level]:
                raise RegionImportError(_("%(where)s：区划代码 %(code)s 的位数与 %(file)s 的级别不符") % {"where": _where(file.name, line), "code": code, "file": file.name})
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
                                % {"where": _where(file, line), "field": _("上级代码") if field == "parent" else _("区划代码"), "code": code})


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
            raise RegionImportError(_("%(where)s：区划代码 %(code)s 重复（%(first)s 已出现）") % {"where": row.where, "code": row.code, "first": seen[row.code].where})
        seen[row.code] = row
        if row.level == Level.PROVINCE:
            if row.parent:
                raise RegionImportError(_("%(where)s：省级区划 %(code)s 不应有上级代码") % {"where": row.where, "code": row.code})
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
                raise RegionImportError(_("%(where)s：上级代码 %(parent)s 不存在") % {"where": row.where, "parent": parent})


def _current_by_code(codes: set[str], batch: int = 500) -> dict[str, Region]:
    ordered = sorted(codes)
    found: dict[str, Region] = {}
    for start in range(0, len(ordered), batch):
        found.update((r.code, r) for r in Region.objects.filter(retired_in__isnull=True, code__in=ordered[start:start + batch]))
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
                raise RegionImportError(_("版本 %(name)s（%(date)s）早于已导入的 %(later)s（%(later_date)s）：请按发布时间顺序导入")
                                        % {"name": name, "date": published, "later": later.name, "later_date": later.published})


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

    def __init__(self, rows: list[_Row], name: str, published: dt.date | None, source: str, prefix: str, actor, progress: Progress):
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
            raise RegionImportError(_("版本 %(name)s 已存在，发布日期为 %(date)s") % {"name": self.name, "date": self.edition.published})
        levels_in_file = sorted({row.level for row in self.rows})
        file_codes = {row.code for row in self.rows}
        parent_codes = {row.parent for row in self.rows if row.parent and row.parent not in file_codes}
        # Everything under the prefix in one query; ancestors and outside parents by code, in batches (a
        # national table has 42,000 codes, more than SQLite allows as parameters of one IN).
        under = Region.objects.filter(retired_in__isnull=True, code__startswith=self.prefix, level__in=levels_in_file)
        self.current: dict[str, Region] = {r.code: r for r in under}
        outside = {code for code in file_codes | parent_codes if not code.startswith(self.prefix) or code in parent_codes}
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
        olds = {code: r for code, r in self.current.items() if covered and r.level == level and code.startswith(self.prefix)}
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
            match = (next((r for r in pool if r.code == old.code), None) or next((r for r in pool if r.name == old.name), None)
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
        new = {code: Region(code=code, name=row.name, level=level, kind=row.kind[:30], parent=parent_of[code], first_edition=self.edition)
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
                                        % {"new": successor.name, "new_code": successor.code, "old": old.name, "old_code": old.code})
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
               note=_("%(edition)s：%(kind)s") % {"edition": self.edition.name, "kind": change.get_kind_display()})

    def _finish(self, created: bool) -> None:
        orphans = (Region.objects.filter(retired_in__isnull=True, parent__retired_in=self.edition, parent__successor__isnull=True)
                   .values_list("parent__code", "parent__name").distinct())
        for code, name in orphans:
            self.report.warnings.append(_("%(name)s（%(code)s）已撤销，但仍有下级区划未在本版本中出现，请核对") % {"name": name, "code": code})
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
                   note=_("导入区划代码表 %(edition)s：新增 %(created)s，更新 %(updated)s，停用 %(retired)s")
                   % {"edition": self.edition.name, "created": self.report.created, "updated": self.report.updated,
                      "retired": self.report.retired})
        elif not changed:
            self.report.warnings.append(_("版本 %(edition)s 已导入过，没有变化") % {"edition": self.edition.name})


# =====================================================================================================
# Boundaries
# =====================================================================================================
CODE_FIELDS = ("adcode", "code", "XZQDM", "xzqdm", "XZQHDM", "xzqhdm")
NAME_FIELDS = ("name", "NAME", "XZQMC", "xzqmc", "XZQHMC", "MC")
VECTOR_SUFFIXES = {".json", ".geojson"}


@dataclass
class _Feature:
    index: int  # 1-based, as the user counts
    props: dict[str, Any]
    geom: Any  # shapely geometry or None
    raw_code: str = ""
    code: str = ""
    region: Region | None = None

    def label(self) -> str:
        if self.raw_code:
            return _("第 %(index)s 个要素（代码 %(code)s）") % {"index": self.index, "code": self.raw_code}
        return _("第 %(index)s 个要素") % {"index": self.index}


@contextmanager
def _vector_file(path: Path) -> Iterator[Path]:
    """The GeoJSON or .shp to read; a .zip is checked member by member before anything is unpacked."""
    try:
        with unpacked_upload(path, data_suffixes=VECTOR_SUFFIXES | {".shp"}) as data_path:
            yield data_path
    except LayerReadError as exc:
        raise RegionImportError(str(exc)) from None


def _geojson_crs(data: Any) -> str | None:
    name = ((data.get("crs") or {}).get("properties") or {}).get("name") if isinstance(data, dict) else None
    if not name:
        return None
    if "CRS84" in name.upper():
        return "wgs84"
    return crsmod.crs_from_wkt(name)


def _read_geojson(path: Path) -> tuple[list[_Feature], str | None, list[str]]:
    """GeoJSON read with json, not GDAL: a bare array of features and a UTF-8 BOM are both common in DataV files."""
    raw = path.read_bytes()
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise RegionImportError(_("%(name)s 不是 UTF-8 编码的 GeoJSON") % {"name": path.name}) from None
    except json.JSONDecodeError as exc:
        raise RegionImportError(_("%(name)s 无法解析为 JSON（第 %(line)s 行）") % {"name": path.name, "line": exc.lineno}) from None
    if isinstance(data, list):
        items = data
    elif isinstance(data, dict) and data.get("type") == "FeatureCollection":
        items = data.get("features") or []
    elif isinstance(data, dict) and data.get("type") == "Feature":
        items = [data]
    else:
        raise RegionImportError(_("%(name)s 不是 GeoJSON 要素集合") % {"name": path.name})
    features = []
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict) or item.get("type") != "Feature":
            raise RegionImportError(_("第 %(index)s 个要素不是 GeoJSON Feature") % {"index": index})
        geometry = item.get("geometry")
        try:
            geom = shapely.from_geojson(json.dumps(geometry)) if geometry else None
        except (shapely.errors.GEOSException, ValueError, TypeError):
            geom = "invalid"
        features.append(_Feature(index, dict(item.get("properties") or {}), geom))
    return features, _geojson_crs(data), []


def _read_shapefile(path: Path) -> tuple[list[_Feature], str | None, list[str]]:
    warnings: list[str] = []
    # Without a .cpg, Chinese GIS software almost always wrote the DBF in GBK; GDAL would guess Latin-1.
    has_cpg = path.with_suffix(".cpg").exists() or path.with_suffix(".CPG").exists()
    try:
        meta, _fids, wkb, columns = ogr_read(path, encoding=None if has_cpg else "GBK")
    except Exception as exc:  # pyogrio raises several DataSource/Field error types for unreadable files
        raise RegionImportError(_("无法读取 Shapefile %(name)s：%(error)s") % {"name": path.name, "error": exc}) from None
    if not has_cpg:
        warnings.append(_("没有 .cpg 文件，属性按 GBK 编码读取"))
    names = list(meta["fields"])
    geoms = shapely.from_wkb(np.asarray(wkb, dtype=object), on_invalid="ignore") if len(wkb) else np.array([], dtype=object)
    features = []
    for i in range(len(geoms)):
        props = {name: (col[i].item() if hasattr(col[i], "item") else col[i]) for name, col in zip(names, columns)}
        features.append(_Feature(i + 1, props, geoms[i] if wkb[i] is not None else None))
    declared = None
    prj = next((p for p in (path.with_suffix(".prj"), path.with_suffix(".PRJ")) if p.exists()), None)
    if prj is not None:
        declared = crsmod.crs_from_wkt(prj.read_text(encoding="utf-8", errors="replace"))
        if declared is None:
            warnings.append(_(".prj 文件无法识别，按坐标值判断坐标系"))
    return features, declared, warnings


def _pick_field(features: list[_Feature], wanted: str | None, defaults: tuple[str, ...], label: str, required: bool) -> str | None:
    available: list[str] = []
    for f in features:
        available += [k for k in f.props if k not in available]
    if wanted:
        if wanted not in available:
            raise RegionImportError(_("没有%(label)s字段“%(field)s”（可用字段：%(available)s）")
                                    % {"label": label, "field": wanted, "available": "、".join(available) or "无"})
        return wanted
    found = next((name for name in defaults if name in available), None)
    if found is None:
        lowered = {k.lower(): k for k in available}
        found = next((lowered[name.lower()] for name in defaults if name.lower() in lowered), None)
    if found is None and required:
        raise RegionImportError(_("找不到%(label)s字段（尝试了 %(tried)s；可用字段：%(available)s），请指定字段名")
                                % {"label": label, "tried": "、".join(defaults), "available": "、".join(available) or "无"})
    return found


def _code_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _candidate_codes(raw: str, level: str) -> list[str]:
    """Region codes a file's code may stand for, most likely first.

    Boundary files use 6-digit adcodes for provinces (370000) and cities (371500) and 12-digit codes for
    townships (371525113000); regions are stored with 2/4/6/9/12 digits. DataV's `level` property settles it.
    """
    if not raw.isdigit():
        return []
    if len(raw) == 12:
        if raw.endswith("000000"):
            return [raw[:6]]
        return [raw[:9], raw] if raw.endswith("000") else [raw]
    if len(raw) == 6:
        by_level = {"province": [raw[:2]], "city": [raw[:4]], "district": [raw], "county": [raw]}
        if level in by_level and raw.startswith(by_level[level][0]) and raw[len(by_level[level][0]):].strip("0") == "":
            return by_level[level]
        options = [raw]
        if raw.endswith("00"):
            options.append(raw[:4])
        if raw.endswith("0000"):
            options.append(raw[:2])
        return options
    return [raw] if len(raw) in CODE_LENGTH_LEVEL else []


def _match_regions(features: list[_Feature], code_field: str, only: set[str] | None, warnings: list[str]) -> list[_Feature]:
    for f in features:
        f.raw_code = _code_text(f.props.get(code_field))
    options = {f.index: _candidate_codes(f.raw_code, str(f.props.get("level") or "")) for f in features}
    if only is not None:
        wanted = {c for code in only for c in [code, *_candidate_codes(code, "")]}
        features = [f for f in features if f.raw_code in wanted or any(c in wanted for c in options[f.index])]
        seen = {f.raw_code for f in features} | {c for f in features for c in options[f.index]}
        for code in sorted(only):
            if code not in seen:
                warnings.append(_("文件中没有代码为 %(code)s 的要素") % {"code": code})
    all_codes = {c for f in features for c in options[f.index]}
    regions: dict[str, Region] = {}
    for region in Region.objects.filter(code__in=all_codes).select_related("successor").order_by("retired_in"):
        regions.setdefault(region.code, region)  # a current row wins over retired rows with the same code
    for f in features:
        if not f.raw_code:
            raise RegionImportError(_("%(feature)s：区划代码字段 %(field)s 为空") % {"feature": f.label(), "field": code_field})
        region = next((regions[c] for c in options[f.index] if c in regions), None)
        if region is None:
            raise RegionImportError(_("%(feature)s：区划代码不存在，请先导入代码表") % {"feature": f.label()})
        if not region.is_current:
            current = region.current()
            warnings.append(_("%(feature)s：代码 %(old)s 已停用，边界记入承继区划 %(name)s（%(new)s）")
                            % {"feature": f.label(), "old": region.code, "name": current.name, "new": current.code})
            region = current
        f.region, f.code = region, region.code
    return features


def _polygon_parts(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Flatten to single parts: (polygons, owner index of each polygon, owners that also had non-polygon parts)."""
    parts, owner = shapely.get_parts(geoms, return_index=True)
    while True:
        kinds = shapely.get_type_id(parts)
        multi = np.isin(kinds, [4, 5, 6, 7])  # Multi* and GeometryCollection
        if not multi.any():
            break
        sub, sub_owner = shapely.get_parts(parts[multi], return_index=True)
        parts = np.concatenate([parts[~multi], sub])
        owner = np.concatenate([owner[~multi], owner[multi][sub_owner]])
    kinds = shapely.get_type_id(parts)
    polygon = (kinds == shapely.GeometryType.POLYGON) & ~shapely.is_empty(parts)
    polygon &= shapely.area(parts) > 0
    dropped = np.unique(owner[~polygon])
    return parts[polygon], owner[polygon], dropped


def _multipolygons(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each geometry as a MultiPolygon of its polygon parts (None where it has none) and the owners of dropped parts."""
    parts, owner, dropped = _polygon_parts(geoms)
    result = np.full(len(geoms), None, dtype=object)
    if len(parts):
        order = np.argsort(owner, kind="stable")
        owners = np.unique(owner)
        result[owners] = shapely.multipolygons(parts[order], indices=np.searchsorted(owners, owner[order]))
    return result, dropped


def import_boundaries(path, *, crs: str | None = None, code_field: str | None = None, name_field: str | None = None,
                      only_codes: set[str] | None = None, source: str = "", synthetic: bool = False, actor=None,
                      repair: bool = False, scope: RegionScope | None = None, progress: Progress = None) -> ImportReport:
    """Set region boundaries from a GeoJSON / Shapefile / zipped Shapefile, converted to CGCS2000 (4490).

    An invalid geometry rejects the file, naming the feature and the reason, unless `repair` is asked for:
    then it is made valid and every repair is listed in the report (an official boundary should not be
    altered without the operator knowing). With a `scope`, a feature of a region outside it rejects the file."""
    path = Path(path)
    report = ImportReport(edition=source or path.name)
    try:
        explicit = crsmod.normalise_source(crs) if crs else None
    except crsmod.CrsError as exc:
        raise RegionImportError(str(exc)) from None
    with _vector_file(path) as data_path:
        reader = _read_shapefile if data_path.suffix.lower() == ".shp" else _read_geojson
        features, declared, read_warnings = reader(data_path)
    report.warnings += read_warnings
    if not features:
        raise RegionImportError(_("%(name)s 中没有要素") % {"name": path.name})

    code_key = _pick_field(features, code_field, CODE_FIELDS, _("区划代码"), required=True)
    name_key = _pick_field(features, name_field, NAME_FIELDS, _("名称"), required=False)
    assert code_key is not None
    features = _match_regions(features, code_key, {str(c) for c in only_codes} if only_codes is not None else None, report.warnings)
    if scope is not None and (outside := next((f for f in features if not scope.contains(f.code)), None)):
        raise RegionImportError(_("%(feature)s：不在您的数据范围内") % {"feature": outside.label()})
    if not features:
        raise RegionImportError(_("没有要导入的要素"))
    for f in features:
        if f.geom is None or (not isinstance(f.geom, str) and f.geom.is_empty):
            raise RegionImportError(_("%(feature)s：几何为空") % {"feature": f.label()})
        if isinstance(f.geom, str):
            raise RegionImportError(_("%(feature)s：几何无法解析") % {"feature": f.label()})
        if shapely.get_type_id(f.geom) not in (3, 6, 7):
            raise RegionImportError(_("%(feature)s：不是面要素（%(kind)s）") % {"feature": f.label(), "kind": f.geom.geom_type})
        if name_key and f.props.get(name_key) and str(f.props[name_key]).strip() != f.region.name:  # type: ignore[union-attr]
            report.warnings.append(_("%(feature)s：名称“%(file)s”与区划名称“%(db)s”不同")
                                   % {"feature": f.label(), "file": f.props[name_key], "db": f.region.name})  # type: ignore[union-attr]

    geoms = np.array([f.geom for f in features], dtype=object)
    coords = shapely.get_coordinates(geoms)
    if not np.all(np.isfinite(coords)):
        bad = next(f for f in features if not np.all(np.isfinite(shapely.get_coordinates(f.geom))))
        raise RegionImportError(_("%(feature)s：坐标含无效数值") % {"feature": bad.label()})
    try:
        guess, crs_warnings = crsmod.resolve_crs(coords[:, 0], coords[:, 1], declared=declared, explicit=explicit,
                                                 hint_lon=_hint_longitude(features))
    except crsmod.CrsError as exc:
        raise RegionImportError(_("坐标系：%(error)s") % {"error": exc}) from None
    report.warnings += crs_warnings
    if explicit is None and guess.source in ("cgcs2000", "wgs84") and {"adcode", "acroutes"} & set(features[0].props):
        report.warnings.append(_("属性像高德/DataV 数据，其坐标通常为 GCJ-02；如是，请指定坐标系 gcj02 重新导入"))

    converted = crsmod.to_cgcs2000(geoms, guess.source, swap_xy=guess.swap_xy)
    inside = crsmod.in_china(converted)
    if not inside.all():
        bad = features[int(np.flatnonzero(~inside)[0])]
        b = shapely.bounds(converted[int(np.flatnonzero(~inside)[0])])
        raise RegionImportError(_("%(feature)s：转换后的坐标不在中国范围内（经度 %(lon)s，纬度 %(lat)s），请检查坐标系")
                                % {"feature": bad.label(), "lon": f"{b[0]:.3f}–{b[2]:.3f}", "lat": f"{b[1]:.3f}–{b[3]:.3f}"})

    # Repair (when asked): make_valid, then keep only the polygon parts. Every repair is listed in the report.
    valid = shapely.is_valid(converted)
    reasons = {i: shapely.is_valid_reason(converted[i]) for i in np.flatnonzero(~valid)}
    if reasons and not repair:
        i = min(reasons)
        raise RegionImportError(_("%(feature)s：几何无效（%(reason)s）。可检查数据后使用“自动修复”（--repair）重新导入")
                                % {"feature": features[i].label(), "reason": reasons[i]})
    fixed = converted.copy()
    fixed[~valid] = shapely.make_valid(converted[~valid])
    polygons, dropped = _multipolygons(fixed)
    dropped_set = set(dropped.tolist())
    for i, f in enumerate(features):
        if polygons[i] is None:
            raise RegionImportError(_("%(feature)s：几何无效且无法修复（%(reason)s）") % {"feature": f.label(), "reason": reasons.get(i, _("无面积"))})
        if i in reasons:
            report.repaired.append(_("%(feature)s：%(reason)s，已自动修复") % {"feature": f.label(), "reason": reasons[i]})
        if i in dropped_set:
            report.repaired.append(_("%(feature)s：去除了非面部分（点、线）") % {"feature": f.label()})

    # Several features for one region (a multi-part shapefile): merged into one boundary.
    groups: dict[int, list[int]] = defaultdict(list)
    for i, f in enumerate(features):
        groups[f.region.pk].append(i)  # type: ignore[union-attr]
    order = list(groups.values())
    merged = np.array([polygons[ix[0]] if len(ix) == 1 else shapely.union_all(polygons[ix]) for ix in order], dtype=object)
    for ix in order:
        if len(ix) > 1:
            report.warnings.append(_("%(count)s 个要素属于 %(name)s（%(code)s），已合并")
                                   % {"count": len(ix), "name": features[ix[0]].region.name, "code": features[ix[0]].code})  # type: ignore[union-attr]
    merged, _dropped = _multipolygons(merged)
    areas = ellipsoidal_area_m2(merged)

    with transaction.atomic():
        for done, (ix, geom, area) in enumerate(zip(order, merged, areas), start=1):
            region = Region.objects.select_for_update().get(pk=features[ix[0]].region.pk)  # type: ignore[union-attr]
            if set_boundary(region, geom, source=source, synthetic=synthetic, area_m2=float(area), actor=actor,
                            note=_("导入边界：%(file)s") % {"file": path.name}):
                report.boundaries += 1
            else:
                report.warnings.append(_("%(name)s（%(code)s）的边界没有变化") % {"name": region.name, "code": region.code})
            if progress:
                progress(done, len(order))
    return report


def _hint_longitude(features: list[_Feature]) -> float | None:
    """Where the data should be: the nearest stored boundary of a matched region or its ancestors.
    Only needed to pick the central meridian of 6-digit (prefix-less) Gauss-Krüger coordinates."""
    for f in features:
        region = f.region
        while region is not None:
            if region.geom is not None and not region.geom.empty:
                return float(region.geom.centroid.x)
            region = region.parent
    return None
