"""Archive safety: every member of an uploaded zip (or .kmz, or .xlsx) is checked before anything is unpacked.

Rejected: too many members, absolute paths, drive letters or ".." (path traversal), symbolic links, a total
unpacked size over the upload limit, and a member whose declared size is far beyond its compressed size (zip
bomb). The declared sizes are enforced again while unpacking, so a lying header gains nothing.
`unpacked_upload` is the reusable form: the one data file of an upload, the file itself or the one inside an archive.
"""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path, PurePosixPath, PureWindowsPath

from django.utils.translation import gettext as _

from landguard.formats.base import LayerReadError, PathLike
from landguard.formats.uploads import check_upload_size, limit_mb, upload_limit_bytes

MAX_ZIP_RATIO = 100  # uncompressed/compressed per member; DBF/SHP rarely exceed 20, a zip bomb exceeds 1000
MAX_ZIP_MEMBERS = 200  # a 三调 export zip holds a dozen layers of ~7 files each


def zip_member_name(info: zipfile.ZipInfo) -> str:
    """A member's name as its author wrote it, with forward slashes.

    Zips made on Chinese Windows store GBK names without the UTF-8 flag; Python decodes those as CP437
    (“╡╪┐Θ.shp”). Re-decoding them as GBK gives the real name, so `layer="地类图斑"` can pick the file.
    """
    name = info.filename
    if not info.flag_bits & 0x800:
        try:
            name = name.encode("cp437").decode("gbk")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return name.replace("\\", "/")


def check_zip(archive: zipfile.ZipFile, *, label: str, max_bytes: int | None = None, max_members: int = MAX_ZIP_MEMBERS,
              max_ratio: int = MAX_ZIP_RATIO) -> list[zipfile.ZipInfo]:
    """Check every member of an archive before anything is unpacked; return the file members.

    Rejected: more than `max_members` files, absolute paths, drive letters or ".." (path traversal), symbolic
    links (they could point anywhere once unpacked), a total unpacked size over the upload limit, and any
    member whose declared size exceeds `max_ratio` times its compressed size (zip bomb). The declared sizes
    are enforced again while unpacking (`extract_members`), so a lying header gains nothing.
    """
    limit = max_bytes or upload_limit_bytes()
    members = [m for m in archive.infolist() if not m.is_dir()]
    if len(members) > max_members:
        raise LayerReadError(_("压缩包 %(name)s 内文件过多（%(count)s 个，上限 %(max)s 个）")
                             % {"name": label, "count": len(members), "max": max_members})
    total = 0
    for member in members:
        name = zip_member_name(member)
        if name.startswith("/") or PureWindowsPath(name).drive or ".." in PurePosixPath(name).parts:
            raise LayerReadError(_("压缩包内路径不安全：%(name)s") % {"name": name})
        if (member.external_attr >> 16) & 0o170000 == 0o120000:
            raise LayerReadError(_("压缩包内含符号链接：%(name)s") % {"name": name})
        total += member.file_size
        if total > limit:
            raise LayerReadError(_("压缩包解压后超过 %(mb)s MB 上限") % {"mb": limit_mb(limit)})
        if member.file_size > max_ratio * max(member.compress_size, 1):
            raise LayerReadError(_("压缩包内 %(name)s 的压缩比异常（超过 %(ratio)s 倍），疑似压缩炸弹，已拒绝")
                                 % {"name": name, "ratio": max_ratio})
    return members


def extract_members(archive: zipfile.ZipFile, members: Sequence[zipfile.ZipInfo], dest: Path) -> dict[str, Path]:
    """Unpack members already passed by `check_zip` into `dest`; return member name → unpacked path.

    Each member is streamed and cut off at its declared size: the header, not the stream, bounds what is written.
    """
    out: dict[str, Path] = {}
    for member in members:
        name = zip_member_name(member)
        target = dest.joinpath(*PurePosixPath(name).parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        remaining = member.file_size
        try:
            with archive.open(member) as src, open(target, "wb") as dst:
                while remaining > 0:
                    chunk = src.read(min(remaining, 1 << 20))
                    if not chunk:
                        break
                    dst.write(chunk)
                    remaining -= len(chunk)
        except (zipfile.BadZipFile, OSError, EOFError, zipfile.LargeZipFile) as exc:
            raise LayerReadError(_("压缩包内 %(name)s 无法解压：%(error)s") % {"name": name, "error": exc}) from None
        except NotImplementedError:  # encrypted members, or a compression method zipfile lacks
            raise LayerReadError(_("压缩包内 %(name)s 已加密或使用了不支持的压缩方式") % {"name": name}) from None
        except RuntimeError:  # "File is encrypted, password required"
            raise LayerReadError(_("压缩包内 %(name)s 已加密或使用了不支持的压缩方式") % {"name": name}) from None
        out[name] = target
    return out


def open_zip(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise LayerReadError(_("%(name)s 不是有效的 zip 压缩包") % {"name": path.name}) from None


def _suffix_list(suffixes: Collection[str]) -> str:
    return "、".join(sorted(suffixes))


@contextmanager
def unpacked_upload(path: PathLike, *, data_suffixes: Collection[str], fallback_suffixes: Collection[str] = (),
                    archive_suffixes: Collection[str] = (".zip",), pick: str | None = None,
                    max_bytes: int | None = None, max_members: int = MAX_ZIP_MEMBERS,
                    max_ratio: int = MAX_ZIP_RATIO) -> Iterator[Path]:
    """The data file to read from an upload: the file itself, or the one data file inside a checked, unpacked archive.

    data_suffixes: what counts as a data file (".shp", ".geojson" …); fallback_suffixes are considered only
    when an archive holds none of those. Several data files in an archive are an error listing them, unless
    `pick` names one (file name or stem, case-insensitive). The archive is unpacked into a temporary directory
    that is removed when the `with` block ends; nothing is unpacked before `check_zip` has passed.
    """
    path = Path(path)
    if not path.is_file():
        raise LayerReadError(_("文件不存在：%(path)s") % {"path": path})
    limit = max_bytes or upload_limit_bytes()
    check_upload_size(path, limit)
    suffix = path.suffix.lower()
    if suffix in data_suffixes or suffix in fallback_suffixes:
        yield path
        return
    if suffix not in archive_suffixes:
        hint = _("（.xls 请另存为 .xlsx）") if suffix == ".xls" else ""
        raise LayerReadError(_("不支持的文件类型“%(suffix)s”：支持 %(suffixes)s，"
                               "或含这些文件的 %(archives)s 压缩包%(hint)s")
                             % {"suffix": path.suffix or path.name,
                                "suffixes": _suffix_list(set(data_suffixes) | set(fallback_suffixes)),
                                "archives": _suffix_list(archive_suffixes), "hint": hint})
    with open_zip(path) as archive, tempfile.TemporaryDirectory(prefix="landguard-upload-") as tmp:
        members = check_zip(archive, label=path.name, max_bytes=limit, max_members=max_members, max_ratio=max_ratio)
        chosen = _choose_member(members, data_suffixes, fallback_suffixes, pick, path.name)
        unpacked = extract_members(archive, members, Path(tmp))
        yield unpacked[chosen]


def _choose_member(members: Sequence[zipfile.ZipInfo], data_suffixes: Collection[str],
                   fallback_suffixes: Collection[str], pick: str | None, label: str) -> str:
    names = [zip_member_name(m) for m in members]
    visible = [n for n in names if not any(part.startswith((".", "__MACOSX")) for part in PurePosixPath(n).parts)]
    candidates = [n for n in visible if PurePosixPath(n).suffix.lower() in data_suffixes]
    if not candidates:
        candidates = [n for n in visible if PurePosixPath(n).suffix.lower() in fallback_suffixes]
    if not candidates:
        raise LayerReadError(_("压缩包 %(name)s 中没有可读取的数据文件（%(suffixes)s）")
                             % {"name": label, "suffixes": _suffix_list(set(data_suffixes) | set(fallback_suffixes))})
    if len(candidates) > 1 and pick:
        wanted = pick.lower()
        picked = [n for n in candidates if wanted in (PurePosixPath(n).name.lower(), PurePosixPath(n).stem.lower())]
        if len(picked) == 1:
            return picked[0]
    if len(candidates) != 1:
        raise LayerReadError(_("压缩包内应恰好有一个数据文件，实际有 %(count)s 个：%(files)s。"
                               "请指定要读取的图层（文件名）")
                             % {"count": len(candidates), "files": "、".join(candidates)})
    return candidates[0]
