"""What an overlay answers, per boundary: areas by land class and by ownership (ClassArea), the DLTB pieces
(OverlayPieces), the area inside and outside each control layer (ControlResult), the verdict flags (VerdictFlag), all in
OverlayResult, whose to_dict() gives JSON-ready figures in m², 公顷 and 亩.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NamedTuple

import numpy as np
import shapely
from django.utils.functional import Promise

from landguard.core.geodesy import hectares, mu, wan_mu
from landguard.engine.clipping import DEFAULT_SLIVER_TOLERANCE_M2, EMPTY, drop_slivers
from landguard.engine.kinds import ControlKind, Verdict


def area_units(m2: float) -> dict[str, float]:
    """One area in the units reports use, with the report rounding of core.geodesy (domain.md §2.3)."""
    return {"m2": round(float(m2), 2), "ha": hectares(m2), "mu": mu(m2), "wan_mu": wan_mu(m2)}


@dataclass(frozen=True)
class ClassArea:
    """Area of one land class (a code, a first-level class or a 三大类) inside one boundary."""

    key: str
    label: str | Promise
    gross_m2: float
    net_m2: float  # gross × (1 − KCXS), i.e. 图斑地类面积; the difference is 田坎

    @property
    def gross_ha(self) -> float:
        return hectares(self.gross_m2)

    @property
    def gross_mu(self) -> float:
        return mu(self.gross_m2)

    @property
    def net_ha(self) -> float:
        return hectares(self.net_m2)

    @property
    def net_mu(self) -> float:
        return mu(self.net_m2)


class Piece(NamedTuple):
    geometry: shapely.Geometry
    dltb_index: int
    dlbm: str
    kcxs: float
    raw_m2: float
    gross_m2: float
    net_m2: float
    whole: bool  # the parcel lies wholly inside the boundary
    qsxz: str  # 权属性质 code of the parcel ("" where it has none)


@dataclass(frozen=True)
class OverlayPieces:
    """The DLTB pieces inside one boundary, column-wise (for the map and for reports)."""

    geometry: np.ndarray
    dltb_index: np.ndarray
    dlbm: np.ndarray
    kcxs: np.ndarray
    raw_m2: np.ndarray  # ellipsoidal area of the piece's own geometry
    gross_m2: np.ndarray  # raw_m2 × the boundary's 平差 factor: what the tables add up
    net_m2: np.ndarray  # gross_m2 × (1 − KCXS)
    whole: np.ndarray
    qsxz: np.ndarray  # 权属性质 code of each piece's parcel ("" where it has none or the layer has no QSXZ)

    def __len__(self) -> int:
        return len(self.geometry)

    def __iter__(self) -> Iterator[Piece]:
        for row in zip(self.geometry, self.dltb_index, self.dlbm, self.kcxs, self.raw_m2, self.gross_m2,
                       self.net_m2, self.whole, self.qsxz, strict=True):
            yield Piece(row[0], int(row[1]), str(row[2]), float(row[3]), float(row[4]), float(row[5]),
                        float(row[6]), bool(row[7]), str(row[8]))


@dataclass(frozen=True)
class ControlResult:
    name: str
    kind: ControlKind
    inside_m2: float  # area of (union of the layer's polygons) ∩ boundary
    outside_m2: float | None  # boundary area not covered by the layer; computed for COVERAGE_KINDS only
    inside_pieces: np.ndarray  # each control feature clipped to the boundary (may overlap; for the map)
    feature_index: np.ndarray  # the control feature of each piece
    boundary: shapely.Geometry | None = field(default=None, repr=False)  # the (densified) boundary, COVERAGE_KINDS
    sliver_tolerance_m2: float = DEFAULT_SLIVER_TOLERANCE_M2

    @cached_property
    def outside_geometry(self) -> shapely.Geometry | None:
        """The part of the boundary the layer does not cover (COVERAGE_KINDS), for the map; computed on
        first use, as it needs the union of every piece."""
        if self.boundary is None:
            return None
        pieces = self.inside_pieces
        covered = EMPTY if len(pieces) == 0 else pieces[0] if len(pieces) == 1 else shapely.union_all(pieces)
        rest, _kept, _dropped = drop_slivers(np.array([shapely.difference(self.boundary, covered)], dtype=object),
                                              self.sliver_tolerance_m2)
        return rest[0]

    @property
    def inside_ha(self) -> float:
        return hectares(self.inside_m2)

    @property
    def inside_mu(self) -> float:
        return mu(self.inside_m2)


@dataclass(frozen=True)
class VerdictFlag:
    verdict: Verdict
    area_m2: float  # the area that raised it (inside 永农/红线, outside the boundary layer, 耕地 net)
    layers: tuple[str, ...]  # control layers behind it (empty for 占用耕地)

    @property
    def label(self) -> Promise:
        return self.verdict.label

    @property
    def area_ha(self) -> float:
        return hectares(self.area_m2)

    @property
    def area_mu(self) -> float:
        return mu(self.area_m2)


@dataclass(frozen=True)
class OverlayResult:
    boundary_index: int
    gross_m2: float  # the boundary's own ellipsoidal area
    dltb_m2: float  # Σ piece gross areas (= gross_m2 when the DLTB tiles the boundary, up to slivers)
    sliver_m2: float  # DLTB float-noise pieces ignored (below the tolerance)
    uncovered_m2: float  # boundary area with no DLTB parcel (gaps in the layer, or beyond the survey)
    area_adjustment: float  # 平差 factor applied to clipped areas: official / densified boundary area
    by_code: dict[str, ClassArea]
    by_level1: dict[str, ClassArea]
    by_big_class: dict[str, ClassArea]  # keyed by BigClass value
    # 权属性质 (engine.ownership): keyed by Ownership value (国有 / 集体 / 未标注), gross and net like the classes;
    # the cross table keyed "<BigClass value>:<Ownership value>" ("agricultural:collective" = 集体 农用地);
    # 耕地 (01) per ownership. Like every table, only entries with area; all three add up to what they split.
    by_ownership: dict[str, ClassArea]
    by_big_class_ownership: dict[str, ClassArea]
    farmland_by_ownership: dict[str, ClassArea]
    farmland_gross_m2: float
    farmland_net_m2: float
    tiankan_m2: float  # Σ deducted 田坎 (gross − net); 三调 statistics report it as 1203 田坎 (domain.md §1.3, I)
    controls: dict[str, ControlResult]
    verdicts: tuple[VerdictFlag, ...]
    not_evaluated: tuple[Verdict, ...]  # verdicts whose control layer was not given
    pieces: OverlayPieces
    warnings: tuple[str, ...]
    # A boundary crossing county lines: the part in each county, analysed against that county's layers
    # (engine.combine); every figure above is their sum. Empty for a boundary analysed in one piece.
    subtotals: tuple[Subtotal, ...] = ()

    @property
    def net_m2(self) -> float:
        return self.dltb_m2 - self.tiankan_m2

    @property
    def gross_ha(self) -> float:
        return hectares(self.gross_m2)

    @property
    def gross_mu(self) -> float:
        return mu(self.gross_m2)

    @property
    def farmland_net_mu(self) -> float:
        return mu(self.farmland_net_m2)

    @property
    def farmland_gross_mu(self) -> float:
        return mu(self.farmland_gross_m2)

    def flag(self, verdict: Verdict) -> VerdictFlag | None:
        return next((f for f in self.verdicts if f.verdict == verdict), None)

    def has(self, verdict: Verdict) -> bool:
        return self.flag(verdict) is not None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready figures (no geometries) with every area in m², 公顷 and 亩, labels in the active language."""

        def table(rows: dict[str, ClassArea]) -> list[dict[str, Any]]:
            return [{"key": r.key, "label": str(r.label), "gross": area_units(r.gross_m2), "net": area_units(r.net_m2)}
                    for r in rows.values()]

        return {
            "boundary_index": self.boundary_index,
            "gross": area_units(self.gross_m2),
            "dltb": area_units(self.dltb_m2),
            "sliver_m2": self.sliver_m2,
            "uncovered": area_units(self.uncovered_m2),
            "area_adjustment": self.area_adjustment,
            "farmland_gross": area_units(self.farmland_gross_m2),
            "farmland_net": area_units(self.farmland_net_m2),
            "tiankan": area_units(self.tiankan_m2),
            "by_big_class": table(self.by_big_class),
            "by_ownership": table(self.by_ownership),
            "by_big_class_ownership": table(self.by_big_class_ownership),
            "farmland_by_ownership": table(self.farmland_by_ownership),
            "by_level1": table(self.by_level1),
            "by_code": table(self.by_code),
            "controls": {
                name: {"kind": c.kind.value, "kind_label": str(c.kind.label), "inside": area_units(c.inside_m2),
                                "outside": None if c.outside_m2 is None else area_units(c.outside_m2)}
                         for name, c in self.controls.items()},
            "verdicts": [{"verdict": f.verdict.value, "label": str(f.label), "area": area_units(f.area_m2),
                          "layers": list(f.layers)} for f in self.verdicts],
            "not_evaluated": [{"verdict": v.value, "label": str(v.label)} for v in self.not_evaluated],
            "warnings": list(self.warnings),
            "subtotals": [{"code": p.code, "name": p.name, **{k: v for k, v in p.result.to_dict().items()
                                                           if k not in ("boundary_index", "subtotals")}}
                          for p in self.subtotals],
        }


@dataclass(frozen=True)
class Subtotal:
    """The part of a boundary inside one county (code, name), analysed against that county's layers."""

    code: str
    name: str
    result: OverlayResult

