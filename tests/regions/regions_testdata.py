"""Shared constants and helpers for the region import tests (imported by conftest and the test modules)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from django.conf import settings

REFDATA = Path(settings.REFDATA_DIR)  # carried in the repository (data/refdata)
MCA_CSV = REFDATA / "mca-xzqh-20251231" / "region.csv"
NBS_DIR = REFDATA / "nbs-divisions-2023"
NBS_2023 = dt.date(2023, 6, 30)
MCA_2025 = dt.date(2025, 12, 31)


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path
