"""The clone runs alone: the reference data the demo and the tests read is in the repository, each file
accounted for (SOURCE note per folder, a row in data/refdata/README.md), and nothing reads ../shared."""

from __future__ import annotations

import os
import re
from pathlib import Path

from django.conf import settings

REPO = Path(settings.BASE_DIR)
DATA = REPO / "data" / "refdata"


def test_reference_data_defaults_to_the_repository_copy():
    if "LANDGUARD_REFDATA_DIR" not in os.environ:
        assert Path(settings.REFDATA_DIR).resolve() == DATA.resolve()


def test_every_reference_folder_has_a_source_note_saying_what_is_kept():
    folders = [p for p in DATA.iterdir() if p.is_dir()]
    assert len(folders) == 5
    for folder in folders:
        note = (folder / "SOURCE.txt").read_text(encoding="utf-8")
        assert "Repo:" in note and "License:" in note, folder.name
        assert "In LandGuard:" in note, f"{folder.name}: the note must say what the repository keeps"


def test_the_data_readme_names_every_file():
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    for path in DATA.rglob("*"):
        if path.is_file() and path.name not in ("README.md", "SOURCE.txt", "LICENSE.upstream.txt"):
            stem = path.stem if path.parent.name == "amap-shp-country-2024" else path.name
            assert stem in readme, f"{path.relative_to(DATA)} is not described in data/refdata/README.md"


def test_nothing_reads_the_steering_folder_beside_the_clone():
    pattern = re.compile(r"shared/refdata|\.\./shared")
    offenders = []
    for folder in ("landguard", "scripts", "tests", "bench"):
        for path in (REPO / folder).rglob("*"):
            if path.suffix in (".py", ".sh", ".html", ".js") and "vendor" not in path.parts:
                if pattern.search(path.read_text(encoding="utf-8", errors="replace")) and path != Path(__file__):
                    offenders.append(str(path.relative_to(REPO)))
    assert offenders == []
