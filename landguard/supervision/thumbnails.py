"""Evidence photos as people look at them: a thumbnail for lists (320 px) and a bounded large view for the
lightbox (1600 px), JPEG, made once with Pillow and cached under var/thumbs/ by the photo's SHA-256 (the file never
changes once acknowledged). A photo still uploading, or a file Pillow cannot read, gets a placeholder."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings

from landguard.supervision.models import Photo

EDGES = {"thumb": 320, "large": 1600}

PLACEHOLDER = (b'<svg xmlns="http://www.w3.org/2000/svg" width="320" height="240" viewBox="0 0 320 240">'
               b'<rect width="320" height="240" fill="#e8ecef"/><path d="M110 170l40-50 30 35 20-20 40 35z" '
               b'fill="#b7c0c7"/><circle cx="205" cy="95" r="16" fill="#b7c0c7"/></svg>')


def cached(photo: Photo, size: str) -> Path | None:
    """The cached JPEG of an acknowledged photo at `size` ("thumb" or "large"), made on first use; None when there
    is nothing to show yet (not acknowledged, file missing, not an image Pillow reads)."""
    edge = EDGES[size]
    if not photo.acknowledged or not photo.file:
        return None
    folder = Path(settings.VAR_DIR) / "thumbs" / photo.sha256[:2]
    target = folder / f"{photo.sha256}-{edge}.jpg"
    if target.exists():
        return target
    try:
        from PIL import Image, ImageOps, UnidentifiedImageError
    except ImportError:  # Pillow is in requirements.txt; without it, placeholders rather than a 500
        return None
    folder.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.part")
    try:
        with Image.open(photo.file.path) as opened:
            image = ImageOps.exif_transpose(opened)
            image.thumbnail((edge, edge))
            image.convert("RGB").save(partial, "JPEG", quality=82, optimize=True)
    except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError):
        partial.unlink(missing_ok=True)
        return None
    os.replace(partial, target)  # atomic: a concurrent reader sees the whole file or none
    return target
