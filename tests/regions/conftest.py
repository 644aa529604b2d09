"""Fixtures for the region import tests.

The session database already holds the demo (聊城 3715 from NBS 2023 + MCA 2025-12-31). Tests that need a
clean edition history therefore build their own territory under the unused province code 99, reusing the real
冠县 township rows (so the 万善乡 → 万善镇 case is the real one, re-rooted).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from regions_testdata import MCA_CSV, NBS_DIR, write_csv


def _reroot(code: str) -> str:
    return "99" + code[2:]


@pytest.fixture
def test_province_nbs(tmp_path) -> Path:
    """NBS 2023 rows for 冠县, re-rooted under 99 测试省 / 9915 测试市 / 991525 冠县."""
    folder = tmp_path / "nbs"
    write_csv(folder / "provinces.csv", ["code", "name"], [["99", "测试省"]])
    write_csv(folder / "cities.csv", ["code", "name", "provinceCode"], [["9915", "测试市", "99"]])
    write_csv(folder / "areas.csv", ["code", "name", "cityCode", "provinceCode"], [["991525", "冠县", "9915", "99"]])
    with open(NBS_DIR / "streets.csv", encoding="utf-8") as fh:
        streets = [[_reroot(r["code"]), r["name"], "991525", "99", "9915"] for r in csv.DictReader(fh) if r["areaCode"]
                   == "371525"]
    write_csv(folder / "streets.csv", ["code", "name", "areaCode", "provinceCode", "cityCode"], streets)
    return folder


@pytest.fixture
def test_province_mca(tmp_path) -> Path:
    """MCA 2025-12-31 rows for 冠县, re-rooted the same way."""
    rows = [["T", "99", "测试省", "1", "省", "", "0"], ["T", "9915", "测试市", "2", "地级市", "99", "0"],
            ["T", "991525", "冠县", "3", "县", "9915", "0"]]
    with open(MCA_CSV, encoding="utf-8") as fh:
        rows += [["T", _reroot(r["code"]), r["name"], r["level"], r["type"], "991525", r["sort_order"]]
                 for r in csv.DictReader(fh) if r["parent_code"] == "371525"]
    return write_csv(tmp_path / "mca" / "region.csv",
                     ["version", "code", "name", "level", "type", "parent_code", "sort_order"], rows)
