"""One boundary analysed in parts — the part inside each county, against that county's own layers — put back
together: a total OverlayResult whose every figure is the sum of the parts' (areas by class and by ownership,
田坎, control areas, verdict areas), with the parts kept as its `subtotals`.

The parts must be disjoint pieces of one boundary (the caller clips the boundary by county), so adding areas
counts nothing twice. Pure: no database, like the rest of the engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import shapely

from landguard.engine.kinds import Verdict
from landguard.engine.landclass import BigClass
from landguard.engine.ownership import OWNERSHIPS
from landguard.engine.results import ClassArea, ControlResult, OverlayPieces, OverlayResult, Subtotal, VerdictFlag

_BIG_ORDER = [b.value for b in BigClass]
_VERDICT_ORDER = list(Verdict)
_OWNER_ORDER = [o.value for o in OWNERSHIPS]
# "<big class>:<ownership>": by 三大类, then ownership, as overlay() orders the cross table.
_CROSS_ORDER = [f"{b}:{o}" for b in _BIG_ORDER for o in _OWNER_ORDER]


def combine(boundary_index: int, parts: Sequence[Subtotal]) -> OverlayResult:
    """The total of a boundary's parts, carrying them as `subtotals` (in the order given)."""
    if not parts:
        raise ValueError("combine needs at least one part")
    results = [p.result for p in parts]
    gross = sum(r.gross_m2 for r in results)
    # 平差 of the whole: official area over the area the pieces were measured on (each part's own factor
    # divides it back out), so tables and pieces keep adding up to the gross area.
    measured = sum(r.gross_m2 / r.area_adjustment for r in results if r.area_adjustment)
    flagged = _verdicts(results)
    return OverlayResult(
        boundary_index=boundary_index,
        gross_m2=gross,
        dltb_m2=sum(r.dltb_m2 for r in results),
        sliver_m2=sum(r.sliver_m2 for r in results),
        uncovered_m2=sum(r.uncovered_m2 for r in results),
        area_adjustment=gross / measured if measured else 1.0,
        by_code=_classes([r.by_code for r in results], sorted),
        by_level1=_classes([r.by_level1 for r in results], sorted),
        by_big_class=_classes([r.by_big_class for r in results], lambda keys: sorted(keys, key=_BIG_ORDER.index)),
        by_ownership=_classes([r.by_ownership for r in results], lambda keys: sorted(keys, key=_OWNER_ORDER.index)),
        by_big_class_ownership=_classes([r.by_big_class_ownership for r in results],
                                        lambda keys: sorted(keys, key=_CROSS_ORDER.index)),
        farmland_by_ownership=_classes([r.farmland_by_ownership for r in results],
                                       lambda keys: sorted(keys, key=_OWNER_ORDER.index)),
        farmland_gross_m2=sum(r.farmland_gross_m2 for r in results),
        farmland_net_m2=sum(r.farmland_net_m2 for r in results),
        tiankan_m2=sum(r.tiankan_m2 for r in results),
        controls=_controls(results),
        verdicts=flagged,
        # A check not made in some county is reported as not made, unless it raised a flag elsewhere.
        not_evaluated=tuple(v for v in _VERDICT_ORDER if any(v in r.not_evaluated for r in results)
                            and v not in {f.verdict for f in flagged}),
        pieces=_pieces([r.pieces for r in results]),
        warnings=tuple(f"{p.name}：{w}" for p in parts for w in p.result.warnings),
        subtotals=tuple(parts),
    )


def _classes(tables: list[dict[str, ClassArea]], order) -> dict[str, ClassArea]:
    gross: dict[str, float] = {}
    net: dict[str, float] = {}
    labels: dict[str, Any] = {}
    for table in tables:
        for key, row in table.items():
            gross[key] = gross.get(key, 0.0) + row.gross_m2
            net[key] = net.get(key, 0.0) + row.net_m2
            labels.setdefault(key, row.label)
    return {key: ClassArea(key, labels[key], gross[key], net[key]) for key in order(gross)}


def _controls(results: list[OverlayResult]) -> dict[str, ControlResult]:
    """Each county's control layers by name; a layer used in several parts (one above county level, named
    explicitly) has its areas added and its pieces put together."""
    merged: dict[str, ControlResult] = {}
    for result in results:
        for name, c in result.controls.items():
            if name not in merged:
                merged[name] = c
                continue
            m = merged[name]
            outside = None if m.outside_m2 is None or c.outside_m2 is None else m.outside_m2 + c.outside_m2
            boundary = None if m.boundary is None or c.boundary is None else shapely.union(m.boundary, c.boundary)
            merged[name] = ControlResult(name, m.kind, m.inside_m2 + c.inside_m2, outside,
                                         np.concatenate([m.inside_pieces, c.inside_pieces]),
                                         np.concatenate([m.feature_index, c.feature_index]), boundary,
                                         m.sliver_tolerance_m2)
    return merged


def _verdicts(results: list[OverlayResult]) -> tuple[VerdictFlag, ...]:
    area: dict[Verdict, float] = {}
    layers: dict[Verdict, list[str]] = {}
    for result in results:
        for flag in result.verdicts:
            area[flag.verdict] = area.get(flag.verdict, 0.0) + flag.area_m2
            seen = layers.setdefault(flag.verdict, [])
            seen.extend(name for name in flag.layers if name not in seen)
    return tuple(VerdictFlag(v, area[v], tuple(layers[v])) for v in _VERDICT_ORDER if v in area)


def _pieces(parts: list[OverlayPieces]) -> OverlayPieces:
    columns = ("geometry", "dltb_index", "dlbm", "kcxs", "raw_m2", "gross_m2", "net_m2", "whole", "qsxz")
    return OverlayPieces(*(np.concatenate([getattr(p, c) for p in parts]) for c in columns))
