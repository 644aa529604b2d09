"""What an upload may be before any reader opens it: its size and its file type.

Neutral on purpose: the generic jobs app checks a submitted file here without importing any domain app, and
every page or job that takes a layer file offers the same file types.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from landguard.formats.base import LayerReadError, PathLike

# Zip members read in preference to the others: a .json or .txt beside a .shp is usually metadata or a readme.
PRIMARY_SUFFIXES = frozenset({".shp", ".gpkg", ".geojson", ".kml"})
SECONDARY_SUFFIXES = frozenset({".json", ".csv", ".xlsx", ".txt"})
ARCHIVE_SUFFIXES = frozenset({".zip", ".kmz"})
# What a web form or the API accepts as one layer file. A loose .shp cannot come alone through a form (its
# .dbf/.shx would be missing): zipped shapefiles only.
WEB_UPLOAD_SUFFIXES = (PRIMARY_SUFFIXES | SECONDARY_SUFFIXES | ARCHIVE_SUFFIXES) - {".shp"}
# The text encodings an upload form offers when the file's own (.cpg, UTF-8 detection) is missing or wrong.
ENCODING_CHOICES = [("", gettext_lazy("自动（按 .cpg；缺失时按 GBK）")), ("GBK", "GBK / GB2312"),
                    ("GB18030", "GB18030"), ("UTF-8", "UTF-8"), ("BIG5", "BIG5")]


def upload_limit_bytes() -> int:
    """The upload limit (settings.UPLOAD_MAX_MB), read at call time so tests and deployments can change it."""
    return int(settings.UPLOAD_MAX_MB) * 1024 * 1024


def limit_mb(max_bytes: int) -> str:
    mb = max_bytes / (1024 * 1024)
    return f"{mb:g}"


def check_upload_size(path: PathLike, max_bytes: int | None = None, *, size: int | None = None) -> None:
    """Reject a file (or a set of files whose total is `size`) over the upload limit."""
    limit = max_bytes or upload_limit_bytes()
    total = Path(path).stat().st_size if size is None else size
    if total > limit:
        raise LayerReadError(_("文件 %(name)s 超过 %(mb)s MB 上限") % {"name": Path(path).name, "mb": limit_mb(limit)})
