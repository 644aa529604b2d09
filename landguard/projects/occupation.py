"""A project's occupation summary (占地分析): what land its boundary takes, by 三大类 and 耕地 net of 田坎, and
how much lies in each control layer — the spatial engine (landguard.analysis.services.overlay_boundaries)
run part by part, each part against the current 地类图斑 of its own county, so a project crossing counties
is measured on each county's survey. Only the parts inside the caller's scope are analysed."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import shapely

from landguard.analysis.selectors import overlay_versions
from landguard.analysis.services import OverlayError, overlay_boundaries
from landguard.core.scope import RegionScope
from landguard.engine.results import OverlayResult
from landguard.layers.models import LayerKind, LayerVersion
from landguard.projects import selectors
from landguard.projects.models import Project, ProjectPart


@dataclass(frozen=True)
class ClassRow:
    label: str
    gross_m2: float
    net_m2: float


@dataclass
class Occupation:
    parts: list[tuple[ProjectPart, OverlayResult]] = field(default_factory=list)
    big_classes: list[ClassRow] = field(default_factory=list)
    controls: list[tuple[str, float]] = field(default_factory=list)  # (layer name, area inside, m²)
    verdicts: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # parts without a 地类图斑 to measure against
    errors: list[str] = field(default_factory=list)

    @property
    def gross_m2(self) -> float:
        return sum(r.gross_m2 for _p, r in self.parts)

    @property
    def farmland_gross_m2(self) -> float:
        return sum(r.farmland_gross_m2 for _p, r in self.parts)

    @property
    def farmland_net_m2(self) -> float:
        return sum(r.farmland_net_m2 for _p, r in self.parts)

    @property
    def uncovered_m2(self) -> float:
        return sum(r.uncovered_m2 for _p, r in self.parts)


def _covering(versions: list[LayerVersion], code: str) -> list[LayerVersion]:
    """Versions whose layer's region holds `code`, most local first, official (官方图层) first among equals."""
    return sorted((v for v in versions if code.startswith(v.layer.region_code)),
                  key=lambda v: (-len(v.layer.region_code), not v.layer.is_official))


def occupation(scope: RegionScope, project: Project) -> Occupation | None:
    """None when the project has no boundary."""
    if project.boundary is None:
        return None
    result = Occupation()
    versions = list(overlay_versions(scope))
    dltbs = [v for v in versions if v.layer.kind == LayerKind.DLTB]
    controls = [v for v in versions if v.layer.kind != LayerKind.DLTB]
    big: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    labels: dict[str, str] = {}
    inside: dict[str, float] = defaultdict(float)
    verdicts: dict[str, None] = {}
    for part in selectors.parts(scope, project):
        covering = _covering(dltbs, part.region_code)
        if not covering:
            result.missing.append(part.region.name)
            continue
        # One layer per control kind: the most local one covering the part.
        chosen: dict[str, LayerVersion] = {}
        for version in _covering(controls, part.region_code):
            chosen.setdefault(version.layer.kind, version)
        try:
            (overlay,) = overlay_boundaries(scope=scope, boundaries=[shapely.from_wkb(bytes(part.geom.wkb))],
                                            dltb=covering[0], controls=list(chosen.values()))
        except OverlayError as exc:
            result.errors.append(f"{part.region.name}：{exc.reason}")
            continue
        result.parts.append((part, overlay))
        for key, row in overlay.by_big_class.items():
            big[key][0] += row.gross_m2
            big[key][1] += row.net_m2
            labels[key] = str(row.label)
        for name, control in overlay.controls.items():
            inside[name] += control.inside_m2
        for flag in overlay.verdicts:
            verdicts[str(flag.label)] = None
    result.big_classes = [ClassRow(labels[k], gross, net) for k, (gross, net) in big.items()]
    result.controls = sorted(inside.items())
    result.verdicts = list(verdicts)
    return result
