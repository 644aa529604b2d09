"""Verdict flags (合规审查 结论) of one boundary, from its control-layer areas and its 耕地.

Each flag needs one kind of control layer and is raised by the area inside it (占用永久基本农田, 涉及生态保护
红线) or outside it (位于城镇开发边界外, 未被已批用地覆盖); a flag whose layer was not given is listed as not
evaluated, never as clear. 占用耕地 needs only the DLTB.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from landguard.engine.controls import ControlPairs, uncovered_area, union_area
from landguard.engine.kinds import ControlKind, Verdict
from landguard.engine.results import ControlResult, VerdictFlag

# Verdict → (control kind it needs, which area triggers it). OCCUPIES_FARMLAND needs only the DLTB.
CONTROL_VERDICTS: dict[Verdict, tuple[ControlKind, Literal["inside", "outside"]]] = {
    Verdict.OCCUPIES_BASIC_FARMLAND: (ControlKind.BASIC_FARMLAND, "inside"),
    Verdict.TOUCHES_ECO_REDLINE: (ControlKind.ECO_REDLINE, "inside"),
    Verdict.OUTSIDE_DEV_BOUNDARY: (ControlKind.DEV_BOUNDARY, "outside"),
    Verdict.NOT_COVERED_BY_APPROVAL: (ControlKind.APPROVED, "outside"),
}


def judge(i: int, controls: dict[str, ControlResult], pairs: dict[str, ControlPairs], *, boundary_m2: float,
          noise_m2: float, adjustment: float, farmland_gross_m2: float, farmland_net_m2: float,
          tolerance_m2: float) -> tuple[tuple[VerdictFlag, ...], tuple[Verdict, ...]]:
    """The flags raised on boundary i (in the order of Verdict) and the verdicts not evaluated.

    ``controls`` are boundary i's ControlResults, ``pairs`` every control layer's pieces (by layer name, in
    the order the layers were given); ``boundary_m2`` is the densified boundary's area, ``adjustment`` its
    平差 factor."""
    kinds: dict[ControlKind, list[str]] = {}
    for name, layer_pairs in pairs.items():
        kinds.setdefault(layer_pairs.layer.kind, []).append(name)
    verdicts: list[VerdictFlag] = []
    not_evaluated: list[Verdict] = []
    for verdict, (kind, which) in CONTROL_VERDICTS.items():
        names = kinds.get(kind)
        if not names:
            not_evaluated.append(verdict)
            continue
        if len(names) == 1:
            found = controls[names[0]]
            value = found.inside_m2 if which == "inside" else found.outside_m2
        else:
            # Several layers of one kind (e.g. 已批 from two ledgers): judge on their union.
            slices = [pairs[n].of(i) for n in names]
            merged = np.concatenate([pairs[n].pieces[sl] for n, sl in zip(names, slices, strict=True)])
            merged_area = np.concatenate([pairs[n].area[sl] for n, sl in zip(names, slices, strict=True)])
            inside = union_area(merged, merged_area, np.ones(len(merged), dtype=bool), tolerance_m2)
            value = (inside if which == "inside" else uncovered_area(boundary_m2, inside, noise_m2)) * adjustment
        if value:
            verdicts.append(VerdictFlag(verdict, float(value), tuple(names)))
    # 占用耕地 is reported with the net 耕地 area: 三调 statistics count the 田坎 share as 1203 (I).
    if farmland_gross_m2 > 0:
        verdicts.append(VerdictFlag(Verdict.OCCUPIES_FARMLAND, farmland_net_m2, ()))
    verdicts.sort(key=lambda f: list(Verdict).index(f.verdict))
    return tuple(verdicts), tuple(not_evaluated)
