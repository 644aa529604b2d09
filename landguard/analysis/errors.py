"""The overlay's refusal: OverlayError, naming the boundaries concerned (services, the county choice)."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_NAMED = 10


class OverlayError(ValidationError):
    """The analysis cannot run as asked: a boundary outside the scope or not a valid polygon, a layer of
    the wrong kind. `boundary_indices` (0-based) lists the boundaries concerned, `reason` says what is
    wrong without naming them, so a page can name them its own way (by file feature)."""

    def __init__(self, reason: str, *, boundary_indices: Sequence[int] = ()) -> None:
        self.reason = reason
        self.boundary_indices = [int(i) for i in boundary_indices]
        super().__init__(self.describe(), code="overlay")

    def describe(self, labels: Sequence[str] | None = None) -> str:
        """The message, naming the boundaries by `labels` (e.g. the file's feature labels) when given."""
        named = boundary_names(self.boundary_indices, labels)
        return f"{named}：{self.reason}" if named else self.reason


def boundary_names(indices: Sequence[int], labels: Sequence[str] | None = None) -> str:
    """“第 1、3 个边界”, or the given labels (file features), for a message."""
    if not indices:
        return ""
    shown = list(indices[:MAX_NAMED])
    if labels is not None:
        text = "、".join(labels[i] for i in shown)
    else:
        text = _("第 %(numbers)s 个边界") % {"numbers": "、".join(str(i + 1) for i in shown)}
    if len(indices) > MAX_NAMED:
        text += _(" 等共 %(count)s 个") % {"count": len(indices)}
    return text
