"""People read words, not codes: every audit change key a service records is a model field (labelled by its
verbose name) or one of the labelled extra keys, and stored choices read as their labels."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django.utils import translation

from landguard.audit.models import AuditEntry
from landguard.web.templatetags.landguard import EXTRA_LABELS, audit_changes

ROOT = Path(__file__).resolve().parents[2] / "landguard"


def _recorded_change_keys() -> set[str]:
    keys: set[str] = set()
    for path in ROOT.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.keyword) and node.arg == "changes" and isinstance(node.value, ast.Dict):
                keys |= {k.value for k in node.value.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}
    return keys


def test_every_recorded_change_key_has_a_label():
    fields = {f.name for model in apps.get_models() for f in model._meta.get_fields() if hasattr(f, "verbose_name")}
    keys = _recorded_change_keys()
    assert {"version", "features", "status"} <= keys  # the scan finds what services write
    assert keys - fields - set(EXTRA_LABELS) == set()


@pytest.mark.django_db
def test_layer_import_and_status_changes_read_as_words_not_codes():
    from landguard.layers.models import Layer
    from landguard.supervision.models import Task

    imported = AuditEntry(changes={"version": [None, 1], "features": [None, 20711], "draft": [None, False]})
    status = AuditEntry(changes={"status": ["pending", Task.Status.choices[-1][0]]})
    with translation.override("zh-hans"):
        rows = audit_changes(imported, Layer)
        labels = [label for label, _before, _after in rows]
        assert labels == ["版本号", "要素数", "草稿"]
        assert rows[2][2] == "否"
        (label, _before, after), = audit_changes(status, Task)
        assert after == str(Task.Status.choices[-1][1])
    with translation.override("en"):
        assert [label for label, _b, _a in audit_changes(imported, Layer)] == ["Version number", "Feature count",
            "Draft"]


def test_source_crs_keys_read_as_words():
    from landguard.core.crs import describe_source

    with translation.override("zh-hans"):
        assert describe_source("epsg:4527") == "CGCS2000 3度带 第39带（中央经线 117°E，带号前缀） EPSG:4527"
        assert describe_source("epsg:4548") == "CGCS2000 3度带 第39带（中央经线 117°E） EPSG:4548"
        assert describe_source("cgcs2000") == "CGCS2000 经纬度"
        assert describe_source("gcj02") == "GCJ-02（国测局加密坐标）"
        assert describe_source("") == ""
