"""权属性质 (QSXZ, a 三调 DLTB field, domain.md §1.1): the one rule from a parcel's QSXZ code to its ownership
class — 国有 (state) or 集体 (collective) — which the overlay splits every area by (征收 figures and the approving
authority of 报批 depend on collective land).

Codes (domain.md §1.1): 10 国有土地所有权, 20 国有土地使用权 → 国有; 30 集体土地所有权, 31 村民小组, 32 村集体经济组织,
33 乡集体经济组织, 34 其他农民集体经济组织, 40 集体土地使用权 → 集体. A parcel without a value (or a layer without the
field) is 未标注 (unknown): shown as such, never guessed from its land class or place. A value outside the list
is refused naming the features, like an unknown DLBM.

Values arrive as text ("10"), integers (10) or floats (10.0, "10.0": a numeric column read through a float
dtype); each is read as its code text ("10"), which is what the database stores.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from landguard.engine.checks import LayerDataError, name_features


class Ownership(models.TextChoices):
    """The ownership class of a parcel, from its 权属性质 (QSXZ)."""

    STATE = "state", _("国有")
    COLLECTIVE = "collective", _("集体")
    UNKNOWN = "unknown", _("未标注")


# The order of every table (and each class's position in the engine's index arrays).
OWNERSHIPS: tuple[Ownership, ...] = (Ownership.STATE, Ownership.COLLECTIVE, Ownership.UNKNOWN)
UNKNOWN_INDEX = OWNERSHIPS.index(Ownership.UNKNOWN)

# QSXZ code → (official name, ownership class); domain.md §1.1.
QSXZ_CODES: dict[str, tuple[str, Ownership]] = {
    "10": (gettext_noop("国有土地所有权"), Ownership.STATE),
    "20": (gettext_noop("国有土地使用权"), Ownership.STATE),
    "30": (gettext_noop("集体土地所有权"), Ownership.COLLECTIVE),
    "31": (gettext_noop("村民小组"), Ownership.COLLECTIVE),
    "32": (gettext_noop("村集体经济组织"), Ownership.COLLECTIVE),
    "33": (gettext_noop("乡集体经济组织"), Ownership.COLLECTIVE),
    "34": (gettext_noop("其他农民集体经济组织"), Ownership.COLLECTIVE),
    "40": (gettext_noop("集体土地使用权"), Ownership.COLLECTIVE),
}


def qsxz_code(value: Any) -> str | None:
    """A QSXZ value as its code text: "10" from "10", 10, 10.0 or "10.0"; "" when absent (None, NaN, blank);
    None when it is not a code of the list."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, bool):
        return None if isinstance(value, bool) else ""
    if isinstance(value, float):
        if value != value:  # NaN: a null in a float column
            return ""
        return str(int(value)) if value.is_integer() and str(int(value)) in QSXZ_CODES else None
    text = str(value).strip()
    if not text:
        return ""
    if text in QSXZ_CODES:
        return text
    try:
        number = float(text)
    except ValueError:
        return None
    return str(int(number)) if number.is_integer() and str(int(number)) in QSXZ_CODES else None


def ownership_of(code: str) -> Ownership:
    """The ownership class of a QSXZ code ("" or an unlisted one: 未标注)."""
    entry = QSXZ_CODES.get(code)
    return entry[1] if entry else Ownership.UNKNOWN


def qsxz_name(code: str) -> str:
    """The official name of a QSXZ code in the active language ("" when absent or unlisted)."""
    entry = QSXZ_CODES.get(code)
    return gettext(entry[0]) if entry else ""


def normalize_qsxz(values: Any, *, layer: str = "QSXZ", ids: np.ndarray | None = None) -> np.ndarray:
    """QSXZ values as code texts ("" where absent), object array; LayerDataError naming every feature whose
    value is not a code of the list. Reads each distinct value once (a county has a handful)."""
    arr = np.asarray(values).reshape(-1)
    if len(arr) == 0:
        return np.zeros(0, dtype=object)
    if arr.dtype.kind in "iufUS":  # a typed column: its distinct values directly
        _distinct, first, inverse = np.unique(arr, return_index=True, return_inverse=True)
    else:  # Python objects, perhaps mixed (10 and "10" are distinct spellings, read alike)
        keys = np.frompyfunc(lambda v: "s" + v if isinstance(v, str) else repr(v), 1, 1)(arr).astype(str)
        _distinct, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1)
    codes = [qsxz_code(arr[i]) for i in first]
    bad_kinds = [k for k, c in enumerate(codes) if c is None]
    if bad_kinds:
        bad = np.flatnonzero(np.isin(inverse, bad_kinds))
        raise LayerDataError(
            gettext("%(layer)s：权属性质 QSXZ 的值不在代码表内（%(values)s；应为 %(codes)s 之一）（%(features)s）")
            % {"layer": layer, "values": "、".join(str(arr[first[k]]) for k in bad_kinds[:10]),
               "codes": "、".join(QSXZ_CODES), "features": name_features(bad, ids)},
            layer=layer, feature_indices=bad.tolist(), field="QSXZ")
    return np.array(codes, dtype=object)[inverse]


def ownership_index(codes: np.ndarray | None, n: int) -> np.ndarray:
    """Each parcel's position in OWNERSHIPS (int8), from normalised QSXZ codes; all 未标注 when None."""
    if codes is None:
        return np.full(n, UNKNOWN_INDEX, dtype=np.int8)
    lookup = {code: OWNERSHIPS.index(owner) for code, (_name, owner) in QSXZ_CODES.items()}
    distinct, inverse = np.unique(codes.astype(str), return_inverse=True)
    return np.array([lookup.get(str(c), UNKNOWN_INDEX) for c in distinct], dtype=np.int8)[inverse].reshape(-1)
