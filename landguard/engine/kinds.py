"""What the engine's words mean: the kinds of control layer and the verdicts an overlay can raise.

They are TextChoices because the database (``layers.Layer.kind`` maps to a ControlKind), the pages and the
API store and show them; the engine itself only compares them.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ControlKind(models.TextChoices):
    """What a control layer means; the verdicts depend on it, not on the layer's name."""

    BASIC_FARMLAND = "basic_farmland", _("永久基本农田")
    ECO_REDLINE = "eco_redline", _("生态保护红线")
    DEV_BOUNDARY = "dev_boundary", _("城镇开发边界")
    APPROVED = "approved", _("已批用地")
    SUPPLIED = "supplied", _("已供用地")
    MINING = "mining", _("压覆矿产资源")
    OTHER = "other", _("其他管控图层")


# Kinds whose *uncovered* part matters (outside the development boundary, not approved, not supplied):
# for these the part of the boundary outside the layer is computed as geometry, for the map and the flags.
COVERAGE_KINDS = frozenset({ControlKind.DEV_BOUNDARY, ControlKind.APPROVED, ControlKind.SUPPLIED})


class Verdict(models.TextChoices):
    OCCUPIES_BASIC_FARMLAND = "occupies_basic_farmland", _("占用永久基本农田")
    TOUCHES_ECO_REDLINE = "touches_eco_redline", _("涉及生态保护红线")
    OUTSIDE_DEV_BOUNDARY = "outside_dev_boundary", _("位于城镇开发边界外")
    NOT_COVERED_BY_APPROVAL = "not_covered_by_approval", _("未被已批用地覆盖")
    OCCUPIES_FARMLAND = "occupies_farmland", _("占用耕地")
