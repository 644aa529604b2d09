"""The access walk: visit every URL pattern of a URLconf as every persona and report what could leak.

`walk()` finds every pattern (includes, DRF routers and the admin site, recursively) and checks:

- every view carries `landguard_access` ("public" or "scoped"; see landguard.core.access), on the view
  function or on its class (`view.cls` for DRF, `view.view_class` for Django class-based views);
- every parameterised route has sample kwargs in SAMPLES below, so no new route can skip the check;
- an anonymous GET of a scoped view is refused (302 to the login page, 401 or 403 — anything but 2xx);
- no persona's response contains a sentinel: the name or code of a demo region (or a grid code) outside that
  persona's scope, minus strings that legitimately occur inside it (tests/access_walk.py:`sentinels_for`);
- a route whose kwargs name an object outside the persona's scope answers 403, 404 or 405;
- admin routes: the personas are not staff, so a 200 may only be a page without any data (the login form).

Responses are decoded before matching: JSON is re-dumped with ensure_ascii=False, xlsx is unzipped and its
strings and sheets read, CSV/HTML/text are read as text, anything else (tiles, images) as UTF-8 ignoring
errors. Codes are matched with digit boundaries, so coordinates such as 115.371525001 never count.

How to register a new route
---------------------------
A route with parameters needs an entry in SAMPLES, keyed by its namespaced name ("regions:detail",
"api:region-detail"; for an unnamed route, its pattern as printed in the failure). The value is a function
that takes a `Place` and returns the URL kwargs for an object located there::

    "people:grid-detail": lambda place: {"code": place.grid.code},

The walk calls it for three places — 清泉街道 371525001 ("township", inside the township officer's scope), 万善镇
371525113 ("other_township", another 冠县 township) and a 莘县 township ("other_county") — and expects 404/403
wherever the place is outside the persona's scope. A Place offers `region` (the township), `village`,
`org_unit`, `user`, `grid`, `field_chief`, `audit_entry`, `code_change`, `retired_region`, `job`, `layer` (a layer owned
by
the township, with one `feature` inside it), the supervision and project objects of tests/*/walk_places.py (a
`message` among them: an inbox message about the township's task sent to all three personas) and `code`; an
object a place does not have (莘县 has no grids) raises NoSample and that place is skipped. Kwargs that do not
name a located object (an edition, a tile z/x/y) are wrapped in `unbound(...)`: the walk then checks only
for leaks. A `format` kwarg (DRF suffix routes) defaults to "json".
"""

from __future__ import annotations

import html
import io
import itertools
import json
import logging
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any
from urllib.parse import urlencode

import shapely

from django.apps import apps
from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry
from django.db import transaction
from django.db.models import Q
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.utils.encoding import iri_to_uri
from django.utils.regex_helper import normalize

from landguard.audit.models import AuditEntry
from landguard.core.access import PUBLIC, SCOPED
from landguard.core.scope import RegionScope, scope_for
from landguard.demo import personas as demo
from landguard.jobs.models import Job
from landguard.layers import mvt
from landguard.layers.models import Feature, Layer, LayerKind, LayerVersion
from landguard.people import selectors as people_selectors
from landguard.people.models import FieldChief, Grid, OrgUnit, User
from landguard.projects.models import CalendarDay, CalendarYear
from landguard.regions.models import CodeChange, Level, Region
from supervision.walk_places import supervision_objects
from projects.walk_places import project_objects
from quotas.walk_places import quota_objects
from approvals.walk_places import approval_objects
from planning.walk_places import planning_objects
from supply.walk_places import supply_objects
from citizens.walk_places import citizen_objects

PERSONAS = {"county_admin": demo.COUNTY_ADMIN, "township_officer": demo.TOWNSHIP_OFFICER,
            "other_county_user": demo.OTHER_COUNTY_USER}
DEMO_COUNTIES = (demo.DEMO_COUNTY_CODE, demo.OTHER_COUNTY_CODE)
TOWNSHIP_CODE = demo.DEMO_TOWNSHIP_CODE  # 清泉街道
OTHER_TOWNSHIP_CODE = "371525113"  # 万善镇: recoded from 万善乡 371525209, so it also has a code change
OUT_OF_SCOPE_OK = {403, 404, 405}


# --- places and samples ----------------------------------------------------------------------------------


class NoSample(Exception):
    """The place has no object of the kind a route needs; the route is not requested for that place."""


class Place:
    """Demo objects located in one township. Attribute access to a missing kind raises NoSample."""

    KINDS = ("region", "village", "org_unit", "user", "grid", "field_chief", "audit_entry", "code_change",
             "retired_region",
             "job", "layer", "feature", "camera", "clue", "task", "photo", "case", "patch", "patrol", "source",
             "channel", "policy",
             "project", "step", "deferred_item", "problem", "target_list", "service_request", "procedure_template",
             "dispatch", "message", "quota_account", "quota_entry", "dossier", "plan",
             "plan_indicator", "breakdown", "idle_parcel", "supply",
             "supply_item", "registration", "person", "work_order", "petition", "homestead")

    def __init__(self, key: str, code: str, objects: dict[str, Any]) -> None:
        self.key, self.code, self._objects = key, code, objects

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name not in Place.KINDS:
            raise AttributeError(name)
        obj = self._objects.get(name)
        if obj is None:
            raise NoSample(f"{self.key} ({self.code}) has no {name}")
        return obj

    def __repr__(self) -> str:
        return f"Place({self.key}, {self.code})"


Sample = Callable[[Place], dict[str, Any]]


def unbound(sample: Sample) -> Sample:
    """Mark a sample whose kwargs do not name an object located in the place (no 404 expected elsewhere)."""
    sample.object_bound = False  # type: ignore[attr-defined]
    return sample


SAMPLES: dict[str, Sample] = {
    # landguard.api (DRF router: "<basename>-detail")
    "api:region-detail": lambda place: {"code": place.region.code},
    "api:codechange-detail": lambda place: {"pk": place.code_change.pk},
    "api:orgunit-detail": lambda place: {"pk": place.org_unit.pk},
    "api:user-detail": lambda place: {"pk": place.user.pk},
    "api:user-revoke-token": lambda place: {"pk": place.user.pk},
    "api:grid-detail": lambda place: {"code": place.grid.code},
    "api:fieldchief-detail": lambda place: {"pk": place.field_chief.pk},
    "api:auditentry-detail": lambda place: {"pk": place.audit_entry.pk},
    # landguard.regions
    "regions:detail": lambda place: {"code": place.region.code},
    # landguard.people
    "people:orgunit-detail": lambda place: {"pk": place.org_unit.pk},
    "people:orgunit-edit": lambda place: {"pk": place.org_unit.pk},
    "people:user-detail": lambda place: {"pk": place.user.pk},
    "people:user-edit": lambda place: {"pk": place.user.pk},
    "people:user-revoke-token": lambda place: {"pk": place.user.pk},
    "people:fieldchief-detail": lambda place: {"pk": place.field_chief.pk},
    "people:fieldchief-edit": lambda place: {"pk": place.field_chief.pk},
    # landguard.jobs
    "jobs:detail": lambda place: {"pk": place.job.pk},
    "jobs:result": lambda place: {"pk": place.job.pk},
    # landguard.supervision
    **{f"api:supervision-{kind}-detail": (lambda attr: lambda place: {"pk": getattr(place, attr).pk})(kind)
       for kind in ("clue", "task", "case", "camera")},
    **{f"supervision:{name}": (lambda attr: lambda place: {"pk": getattr(place, attr).pk})(kind) for name, kind in (
        ("clue-detail", "clue"), ("clue-triage", "clue"), ("clue-case", "clue"), ("task-detail", "task"),
        ("task-close", "task"),
        ("field-task", "task"), ("field-report", "task"), ("field-checkin", "task"), ("field-outcome", "task"),
        ("field-restore", "task"), ("photo-start", "task"), ("patrol", "patrol"), ("patrol-track", "patrol"),
        ("patrol-finish", "patrol"), ("camera-detail", "camera"), ("patch-detail", "patch"), ("patch-judge", "patch"),
        ("case-detail", "case"), ("case-step", "case"), ("case-pause", "case"), ("case-resume", "case"),
        ("case-sketch", "case"),
        ("camera-edit", "camera"), ("source-rotate", "source"), ("source-device", "source"),
        ("channel-edit", "channel"), ("channel-test", "channel"), ("policy-edit", "policy"),
        ("policy-delete", "policy"))},
    **{f"supervision:{name}": lambda place: {"pk": place.photo.task_id, "photo": place.photo.pk}
       for name in ("photo-chunk", "photo-thumb", "photo-large")},
    "api:job-detail": lambda place: {"pk": place.job.pk},
    # landguard.inbox (a message about the place's task, in each persona's inbox)
    "inbox:read": lambda place: {"pk": place.message.pk},
    # landguard.layers (registry pages and API)
    "layers:detail": lambda place: {"slug": place.layer.slug},
    "layers:features": lambda place: {"slug": place.layer.slug},
    "layers:features-export": lambda place: {"slug": place.layer.slug},
    "layers:exchange-export": lambda place: {"slug": place.layer.slug},
    "layers:set-current": lambda place: {"slug": place.layer.slug, "number": 1},
    "layers:designate-official": lambda place: {"slug": place.layer.slug},
    "api:layer-detail": lambda place: {"slug": place.layer.slug},
    "api:layer-versions": lambda place: {"slug": place.layer.slug},
    "api:layer-publish": lambda place: {"slug": place.layer.slug, "number": 1},
    # landguard.projects (battle map)
    **{f"projects:{name}": (lambda attr: lambda place: {"pk": getattr(place, attr).pk})(kind) for name, kind in (
        ("detail", "project"), ("edit", "project"), ("boundary", "project"), ("geojson", "project"),
        ("step-start", "step"), ("step-complete", "step"), ("step-reopen", "step"), ("step-edit", "step"),
        ("step-complete-early", "step"), ("step-skip", "step"),
        ("item-add", "step"), ("item-clear", "deferred_item"), ("problem-detail", "problem"),
        ("target-detail", "target_list"), ("target-export", "target_list"), ("request-detail", "service_request"))},
    "projects:problem-action": lambda place: {"pk": place.problem.pk, "action": "escalate"},
    "projects:step-dependencies": lambda place: {"pk": place.step.pk},
    "projects:template-detail": lambda place: {"pk": place.procedure_template.pk},
    "projects:template-edit": lambda place: {"pk": place.procedure_template.pk},
    "api:proceduretemplate-detail": lambda place: {"pk": place.procedure_template.pk},
    "projects:dispatch-file": lambda place: {"pk": place.dispatch.pk, "fmt": "xlsx"},
    "api:project-boundary": lambda place: {"pk": place.project.pk},
    **{f"api:project-step-{name}": lambda place: {"step_pk": place.step.pk}
       for name in ("start", "complete", "complete-early", "skip", "reopen", "items")},
    "api:project-item-clear": lambda place: {"item_pk": place.deferred_item.pk},
    **{f"api:problem-{name}": lambda place: {"pk": place.problem.pk}
       for name in ("escalate", "resolve", "close", "reopen")},
    "api:servicerequest-resolve": lambda place: {"pk": place.service_request.pk},
    "projects:calendar-edit": unbound(lambda place: {"pk": CalendarDay.objects.order_by("date").first().pk}),
    "projects:calendar-year-verify": unbound(lambda place: {"pk": CalendarYear.objects.order_by("year").first().pk}),
    "api:project-detail": lambda place: {"pk": place.project.pk},
    "api:problem-detail": lambda place: {"pk": place.problem.pk},
    "api:servicerequest-detail": lambda place: {"pk": place.service_request.pk},
    "api:targetlist-detail": lambda place: {"pk": place.target_list.pk},
    # landguard.quotas (ledgers are kept per county: the place's county's ledger)
    "quotas:account": lambda place: {"pk": place.quota_account.pk},
    "quotas:correct": lambda place: {"pk": place.quota_entry.pk},
    "api:quota-account-detail": lambda place: {"pk": place.quota_account.pk},
    "api:quota-entry-detail": lambda place: {"pk": place.quota_entry.pk},
    "api:quota-entry-correct": lambda place: {"pk": place.quota_entry.pk},
    # landguard.approvals (dossiers are filed under the county, like quota ledgers)
    **{f"approvals:{name}": (lambda place: {"pk": place.dossier.pk}) for name in (
        "detail", "geojson", "edit", "quotas", "boundary", "remeasure", "submit", "approve", "refuse", "return",
        "withdraw")},
    **{f"api:approvals-dossier-{name}": (lambda place: {"pk": place.dossier.pk}) for name in (
        "detail", "checklist", "quotas", "submit", "approve", "refuse", "return", "withdraw")},
    **{f"approvals:plan-{name}": (lambda place: {"pk": place.plan.pk}) for name in (
        "detail", "geojson", "edit", "boundary", "years", "submit", "approve", "refuse")},
    **{f"api:approvals-plan-{name}": (lambda place: {"pk": place.plan.pk}) for name in (
        "detail", "checklist", "years", "submit", "approve", "refuse")},
    # landguard.planning (a plan is the county's; a share is the township's; an idle parcel the village's)
    "planning:breakdown": lambda place: {"pk": place.plan_indicator.pk},
    "planning:township": lambda place: {"code": place.region.code},
    "planning:township-geojson": lambda place: {"code": place.region.code},
    "planning:laid-out": lambda place: {"pk": place.breakdown.pk},
    **{f"planning:{name}": (lambda place: {"pk": place.idle_parcel.pk}) for name in (
        "idle-detail", "idle-edit", "idle-parcel-geojson")},
    **{f"api:planning-{name}-detail": (lambda place, name=name: {"pk": getattr(place, {
        "breakdown": "breakdown", "idle-parcel": "idle_parcel"}[name]).pk}) for name in ("breakdown", "idle-parcel")},
    # landguard.supply (a parcel is filed under the township it lies in; its items likewise)
    **{f"supply:{name}": (lambda place: {"pk": place.supply.pk}) for name in (
        "detail", "geojson", "payment", "milestone")},
    **{f"supply:{name}": (lambda place: {"pk": place.supply_item.pk}) for name in ("item", "item-edit", "item-step")},
    "api:supply-record-detail": lambda place: {"pk": place.supply.pk},
    "api:supply-item-detail": lambda place: {"pk": place.supply_item.pk},
    # landguard.citizens (registration applications filed under the township; the full ID number only on a POST)
    **{f"citizens:{name}": (lambda place: {"pk": place.registration.pk}) for name in (
        "detail", "fetch", "review", "complete", "refuse", "withdraw")},
    "citizens:reveal-id": lambda place: {"pk": place.registration.pk, "person_pk": place.person.pk},
    # 12345 work orders and 信访 cases filed under the township
    "citizens:petition-detail": lambda place: {"pk": place.petition.pk},
    "citizens:homestead-detail": lambda place: {"pk": place.homestead.pk},
    "citizens:homestead-action": lambda place: {"pk": place.homestead.pk, "action": "discuss"},
    "citizens:petition-action": lambda place: {"pk": place.petition.pk, "action": "accept"},
    "citizens:order-detail": lambda place: {"pk": place.work_order.pk},
    "citizens:order-action": lambda place: {"pk": place.work_order.pk, "action": "sign"},
    "api:citizens-registration-detail": lambda place: {"pk": place.registration.pk},
    # landguard.layers (data for maps and GIS clients: GeoJSON, vector tiles, OGC API – Features)
    "layerdata:features": lambda place: {"slug": place.layer.slug},
    "layerdata:tile": lambda place: {"slug": place.layer.slug, **_tile_of(place.feature)},
    "ogc:collection": lambda place: {"collection_id": place.layer.slug},
    "ogc:items": lambda place: {"collection_id": place.layer.slug},
    "ogc:item": lambda place: {"collection_id": place.feature.version.layer.slug, "feature_id": place.feature.pk},
}


# Routes without URL parameters whose answer depends on the query string: each is also requested, per place, with
# these parameters (the values echoed, as a search page repeats its words). The search asks for every place's
# names and codes, so a hit from a place outside the persona's scope shows up as a leak.
QUERIES: dict[str, list[Callable[[Place], dict[str, str]]]] = {
    "web:search": [lambda place: {"q": place.region.name}, lambda place: {"q": place.region.code},
                   lambda place: {"q": place.region.code[:6]}, lambda place: {"q": place.project.name},
                   lambda place: {"q": place.clue.title}, lambda place: {"q": place.case.number},
                   lambda place: {"q": place.layer.name}, lambda place: {"q": place.user.username},
                   lambda place: {"q": place.org_unit.name}, lambda place: {"q": place.person.id_masked},
                   lambda place: {"q": place.registration.registration.unit_no}],
}


def _tile_of(feature: Feature) -> dict[str, int]:
    """The zoom-14 tile that holds the feature."""
    point = feature.geom.point_on_surface
    x, y = mvt.tile_containing(point.x, point.y, 14)
    return {"z": 14, "x": x, "y": y}


def _place(key: str, code: str) -> Place:
    region = Region.objects.get(code=code, retired_in__isnull=True)
    under = {"region_code__startswith": code}
    objects = {
        "region": region,
        "village": Region.objects.filter(parent=region, level=Level.VILLAGE).order_by("code").first(),
        "org_unit": OrgUnit.objects.filter(region=region).order_by("kind", "name").first(),
        # Not a persona: the walk asks about someone else's record.
        "user": User.objects.filter(scope_region__code__startswith=code).exclude(username__in=PERSONAS.values())
        .order_by("username").first(),
        "grid": Grid.objects.filter(village__code__startswith=code).order_by("code").first(),
        "field_chief": FieldChief.objects.filter(region__code__startswith=code).order_by("level",
            "region__code").first(),
        "audit_entry": AuditEntry.objects.filter(**under).order_by("id").first(),
        "code_change": CodeChange.objects.filter(**under).order_by("id").first(),
        "retired_region": Region.objects.filter(successor=region).order_by("code").first(),
    }
    if objects["user"] is not None:  # a job submitted from this township, its file named after it (a leak shows)
        objects["job"] = Job.objects.create(kind=Job.Kind.BOUNDARIES, file=f"jobs/walk/{code}.geojson",
                                            original_name=f"{region.name}边界.geojson", scope_code=code,
                                            created_by=objects["user"], status=Job.Status.FAILED,
                                            error=f"{region.name}（{code}）：示例")
    objects["layer"], objects["feature"] = _township_layer(region)
    objects.update(supervision_objects(region))
    objects.update(project_objects(region))
    objects.update(quota_objects(region))
    objects.update(approval_objects(region))
    objects.update(planning_objects(region))
    objects.update(supply_objects(region, objects["dossier"]))
    objects.update(citizen_objects(region))
    return Place(key, code, objects)


def _township_layer(region: Region) -> tuple[Layer, Feature]:
    """A layer owned by the township, with one parcel inside it named after the township (a leak shows)."""
    outline = shapely.from_wkb(bytes(region.geom.wkb))
    point = shapely.point_on_surface(outline)
    parcel = shapely.multipolygons([shapely.box(point.x - 0.001, point.y - 0.001, point.x + 0.001, point.y + 0.001)])
    layer = Layer.objects.create(kind=LayerKind.PROJECT, name=f"{region.name}项目用地", slug=f"walk-layer-{region.pk}",
                                 region=region, region_code=region.code)
    version = LayerVersion.objects.create(layer=layer, number=1, feature_count=1, area_m2=1.0,
                                          extent=GEOSGeometry(shapely.box(*parcel.bounds).wkt, srid=4490))
    feature = Feature.objects.create(version=version, index=0, region_code=region.code, fid=f"{region.name}地块",
                                     code="0702",
                                     area_m2=1.0, properties={"名称": f"{region.name}地块"},
                                     geom=GEOSGeometry(parcel.wkt, srid=4490))
    return layer, feature


def build_world() -> dict[str, Place]:
    other = Region.objects.filter(parent__code=demo.OTHER_COUNTY_CODE, retired_in__isnull=True).order_by("code").first()
    assert other is not None, "the demo has no 莘县 township"
    codes = {"township": TOWNSHIP_CODE, "other_township": OTHER_TOWNSHIP_CODE, "other_county": other.code}
    return {key: _place(key, code) for key, code in codes.items()}


# --- sentinels -------------------------------------------------------------------------------------------

_DIGIT_RUN = re.compile(r"(?<![\d.])\d+(?!\d)")  # a whole run of digits not after a decimal point
_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")


@dataclass(frozen=True)
class Sentinels:
    """Strings that must not appear in a response: names (substring match) and codes (whole digit runs)."""

    names: frozenset[str]
    codes: frozenset[str]
    _cjk_names: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_cjk_names", tuple(n for n in self.names if _CJK_RUN.fullmatch(n[:2])))

    def find(self, text: str, echo: frozenset[str] = frozenset()) -> list[str]:
        """Sentinels in `text`, except the `echo` values: what the request itself contained (the URL kwargs),
        which a page may repeat back ("GET /api/regions/371525113/", "区划 371525113 不存在") without leaking."""
        hits = sorted(run for run in set(_DIGIT_RUN.findall(text)) if run in self.codes and run not in echo)
        # Cheap prefilter for the (many) CJK names: one can only occur if its first two characters occur as a pair.
        pairs = {run[i:i + 2] for run in _CJK_RUN.findall(text) for i in range(len(run) - 1)}
        candidates = [n for n in self._cjk_names if n[:2] in pairs] + [n for n in self.names - set(self._cjk_names)]
        return hits + sorted(name for name in candidates if name in text and name not in echo)


def _demo_regions() -> list[Region]:
    return list(
        Region.objects.filter(Q(code__startswith=DEMO_COUNTIES[0]) | Q(code__startswith=DEMO_COUNTIES[1])).only("code",
            "name"))


def _demo_grid_codes() -> list[tuple[str, str]]:
    return list(Grid.objects.values_list("code", "village__code"))


def _visible(scope: RegionScope, code: str) -> bool:
    """Inside the scope, or an ancestor of it (a township officer may see the name of their county)."""
    return scope.contains(code) or any(prefix.startswith(code) for prefix in scope.prefixes)


def sentinels_for(user: User) -> Sentinels:
    """Names and codes of the demo counties' regions (all editions) and grids that `user` must not see.

    A name is dropped when it also occurs inside a string the user legitimately sees — a region, org unit,
    grid or user name in scope (莘县 may have a village called like one in 冠县) — since its presence would
    prove nothing.
    """
    scope = scope_for(user)
    regions = _demo_regions()
    hidden = [r for r in regions if not _visible(scope, r.code)]
    own: list[str] = [r.name for r in regions if _visible(scope, r.code)]
    own += people_selectors.org_units(scope).values_list("name", flat=True)
    own += people_selectors.grids(scope).values_list("name", flat=True)
    own += [name for pair in people_selectors.users(scope).values_list("full_name", "username") for name in pair]
    own_text = "\n".join(own)
    names = frozenset(r.name for r in hidden if len(r.name) >= 2 and r.name not in own_text)
    codes = frozenset([r.code for r in hidden]
                      + [g for g, village in _demo_grid_codes() if not scope.contains(village)])
    return Sentinels(names=names, codes=codes)


def all_data_sentinels() -> Sentinels:
    """Every township and village name and code of the demo: a page a non-staff user gets from the admin site
    with a 200 (its login form) must contain none."""
    regions = [r for r in _demo_regions() if len(r.code) >= 9]
    return Sentinels(names=frozenset(r.name for r in regions if len(r.name) >= 2),
                     codes=frozenset(r.code for r in regions))


# --- decoding --------------------------------------------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def response_text(response: Any) -> str:
    """The text a person (or a client program) would read in the response."""
    body = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
    charset = getattr(response, "charset", None) or "utf-8"
    if content_type.endswith("json"):
        try:
            return json.dumps(json.loads(body.decode(charset)), ensure_ascii=False)
        except ValueError:
            pass
    if content_type == XLSX or (body[:2] == b"PK" and zipfile.is_zipfile(io.BytesIO(body))):
        return _xlsx_text(body)
    if content_type == "text/csv":
        for encoding in ("utf-8-sig", "gb18030"):  # Excel-friendly exports are often GB18030
            try:
                return body.decode(encoding)
            except UnicodeDecodeError:
                continue
    if content_type.startswith("text/") or content_type.endswith(("xml", "javascript", "yaml", "openapi")):
        text = body.decode(charset, errors="replace")
        return html.unescape(text) if content_type in {"text/html", "application/xhtml+xml"} else text
    return body.decode("utf-8", errors="ignore")


def _xlsx_text(body: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        parts = [name for name in archive.namelist() if name == "xl/sharedStrings.xml"
                 or name.startswith("xl/worksheets/")]
        return "\n".join(html.unescape(archive.read(name).decode("utf-8", errors="ignore")) for name in parts)


# --- the URLconf -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str | None  # namespaced, e.g. "api:region-detail"
    pattern: str  # e.g. "api/^regions/(?P<code>\d{2,12})/$"
    chain: tuple[Any, ...]  # the pattern objects from the root to the view
    callback: Callable
    admin: bool

    @property
    def key(self) -> str:
        return self.name or self.pattern

    @property
    def params(self) -> tuple[str, ...]:
        return tuple(name for part in self.chain for name in part.regex.groupindex)

    @property
    def positional(self) -> bool:
        return any(part.regex.groups > len(part.regex.groupindex) for part in self.chain)

    def __str__(self) -> str:
        return f"{self.name} ({self.pattern})" if self.name else self.pattern


def iter_routes(urlconf: str | ModuleType | None = None) -> Iterator[Route]:
    yield from _walk(get_resolver(urlconf).url_patterns, (), (), False)


def _walk(entries: list, chain: tuple, namespaces: tuple[str, ...], admin: bool) -> Iterator[Route]:
    for entry in entries:
        if isinstance(entry, URLResolver):
            inner = namespaces + ((entry.namespace,) if entry.namespace else ())
            yield from _walk(entry.url_patterns, chain + (entry.pattern,), inner, admin or entry.app_name == "admin")
        elif isinstance(entry, URLPattern):
            full = chain + (entry.pattern,)
            name = ":".join(namespaces + (entry.name,)) if entry.name else None
            yield Route(name, "".join(str(part) for part in full), full, entry.callback, admin)


def access_marker(callback: Callable) -> str | None:
    for holder in (callback, getattr(callback, "cls", None), getattr(callback, "view_class", None)):
        marker = getattr(holder, "landguard_access", None)
        if marker is not None:
            return marker
    return None


class BadSample(Exception):
    pass


def build_path(route: Route, kwargs: Mapping[str, Any], urlconf: str | ModuleType | None) -> str:
    """The URL of this very pattern with these kwargs (reverse() by name could pick a sibling pattern)."""
    missing = set(route.params) - set(kwargs)
    if missing:
        raise BadSample(f"sample lacks {sorted(missing)}")
    parts = []
    for part in route.chain:
        own = set(part.regex.groupindex)
        candidates = [fmt for fmt, params in normalize(part.regex.pattern) if set(params) == own]
        if not candidates:
            raise BadSample(f"cannot build a URL from {part}")
        converters = getattr(part, "converters", {})
        values = {name: converters[name].to_url(kwargs[name]) if name in converters else str(kwargs[name])
                  for name in own}
        parts.append(candidates[0] % values)
    path = iri_to_uri("/" + "".join(parts))
    try:
        match = resolve(path, urlconf)
    except Resolver404:
        raise BadSample(f"{path} does not resolve") from None
    if match.func is not route.callback:
        raise BadSample(f"{path} resolves to {match.view_name or match.route}, not to this route")
    return path


def _admin_kwargs(route: Route) -> Iterator[dict[str, str]]:
    """Plausible kwargs for admin routes: the personas are refused before any object is looked up."""
    choices = {"app_label": [config.label for config in apps.get_app_configs()], "url": ["no-such-page/"]}
    names = route.params
    for combo in itertools.product(*(choices.get(name, ["1"]) for name in names)):
        yield dict(zip(names, combo, strict=True))


# --- the walk --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    place: str  # a key of build_world(), or "" when the URL names no located object
    path: str
    echo: frozenset[str] = frozenset()  # the kwargs values, as sent
    # Words of the query string a page repeats verbatim (a search box): taken out of the text before it is checked,
    # so a persona searching for another county's 万善镇人民政府 does not "see" 万善镇 in its own search box.
    repeats: tuple[str, ...] = ()


@dataclass(frozen=True)
class Failure:
    kind: str  # missing-marker, missing-sample, bad-sample, anonymous-access, leak, not-404, server-error, admin-data
    route: str
    detail: str
    persona: str = ""
    place: str = ""
    hits: tuple[str, ...] = ()  # for leaks: every sentinel found

    def __str__(self) -> str:
        who = " ".join(part for part in (self.persona, self.place and f"@{self.place}") if part)
        return f"[{self.kind}] {self.route}{' — ' + who if who else ''}: {self.detail}"


@dataclass
class WalkReport:
    failures: list[Failure] = field(default_factory=list)
    routes: list[Route] = field(default_factory=list)
    used_samples: set[str] = field(default_factory=set)
    statuses: Counter = field(default_factory=Counter)  # (persona, status) → count
    ok: set[tuple[str, str]] = field(default_factory=set)  # (route key, persona) that answered 200

    def of_kind(self, kind: str) -> list[Failure]:
        return [f for f in self.failures if f.kind == kind]

    def __str__(self) -> str:
        lines = [f"{len(self.failures)} access problem(s) in {len(self.routes)} routes:"]
        lines += [f"  {failure}" for failure in self.failures]
        return "\n".join(lines)


class _Walker:
    def __init__(self, urlconf: str | ModuleType | None, samples: Mapping[str, Sample]) -> None:
        self.urlconf, self.samples, self.report = urlconf, samples, WalkReport()
        self.world = build_world()
        self.users = {key: User.objects.get(username=username) for key, username in PERSONAS.items()}
        self.scopes = {key: scope_for(user) for key, user in self.users.items()}
        self.sentinels = {key: sentinels_for(user) for key, user in self.users.items()}
        self.all_data = all_data_sentinels()
        self.anonymous = Client(raise_request_exception=True)
        self.clients: dict[str, Client] = {}
        for key, user in self.users.items():
            self.clients[key] = Client(raise_request_exception=True)
            self.clients[key].force_login(user)

    def fail(self, kind: str, route: Route, detail: str, persona: str = "", place: str = "",
             hits: list[str] | None = None) -> None:
        self.report.failures.append(Failure(kind, str(route), detail, persona, place, tuple(hits or ())))

    def run(self) -> WalkReport:
        for route in iter_routes(self.urlconf):
            self.report.routes.append(route)
            self.check(route)
        return self.report

    def check(self, route: Route) -> None:
        marker = access_marker(route.callback)
        if not route.admin and marker not in (PUBLIC, SCOPED):
            found = f"landguard_access={marker!r}" if marker is not None else "no landguard_access"
            self.fail("missing-marker", route, f"{found}: decorate the view with @scoped or @public "
                                               "(or set landguard_access on its class)")
        if route.positional:
            self.fail("bad-sample", route, "unnamed regex groups: use named groups so the walk can fill them")
            return
        targets = self.targets(route)
        if targets is None:
            return
        if route.admin:
            for target in targets:
                self.check_admin(route, "anonymous", self.anonymous, target)
        elif marker != PUBLIC:
            for target in targets:
                response = self.get(self.anonymous, route, target.path, "anonymous", target.place)
                if response is not None and 200 <= response.status_code < 300:
                    self.fail("anonymous-access", route, f"GET {target.path} → {response.status_code} without login",
                              "anonymous", target.place)
        for persona, client in self.clients.items():
            for target in targets:
                self.check_persona(route, persona, client, target)

    def targets(self, route: Route) -> list[Target] | None:
        """What to request for this route; None when it cannot be requested at all."""
        if not route.params:
            path = iri_to_uri("/" + "".join(_static(part) for part in route.chain))
            return [Target("", path), *self.query_targets(route, path)]
        if route.admin:
            for kwargs in _admin_kwargs(route):
                try:
                    return [Target("", build_path(route, kwargs, self.urlconf), _echo(kwargs))]
                except BadSample:
                    continue
            self.fail("bad-sample", route, "no admin kwargs resolve to this route (extend _admin_kwargs)")
            return None
        sample = self.samples.get(route.key)
        if sample is None:
            self.fail("missing-sample", route,
                      f"add a sample for route {route.key!r} to SAMPLES in tests/access_walk.py")
            return None
        self.report.used_samples.add(route.key)
        targets = []
        for place in self.world.values():
            try:
                kwargs = dict(sample(place))
            except NoSample:
                continue
            if "format" in route.params:
                kwargs.setdefault("format", "json")
            try:
                targets.append(Target(place.key, build_path(route, kwargs, self.urlconf), _echo(kwargs)))
            except BadSample as error:
                self.fail("bad-sample", route, str(error), place=place.key)
        if not targets:
            self.fail("bad-sample", route, "no place yields kwargs for this route")
            return None
        if getattr(sample, "object_bound", True) is False:
            return list(dict.fromkeys(Target("", t.path, t.echo) for t in targets))
        return targets

    def query_targets(self, route: Route, path: str) -> list[Target]:
        """The route with each place's QUERIES parameters: no object is named, so no 404 is expected."""
        queries = QUERIES.get(route.key)
        if queries is None:
            return []
        self.report.used_samples.add(route.key)
        targets = []
        for place, query in itertools.product(self.world.values(), queries):
            try:
                params = query(place)
            except NoSample:
                continue
            # The page repeats the words in its search boxes and the query string in links (the language form's next).
            query_string = urlencode(params)
            targets.append(Target("", f"{path}?{query_string}", _echo(params), (query_string, *params.values())))
        return list(dict.fromkeys(targets))

    def check_admin(self, route: Route, persona: str, client: Client, target: Target) -> None:
        """Nobody here is staff: a 200 is fine only without data (the admin login form)."""
        response = self.get(client, route, target.path, persona, "")
        if response is not None and response.status_code == 200 and (
            hits := self.all_data.find(response_text(response), target.echo)):
            self.fail("admin-data", route, f"GET {target.path} → 200 with data: {_short(hits)}", persona, hits=hits)

    def check_persona(self, route: Route, persona: str, client: Client, target: Target) -> None:
        if route.admin:
            self.check_admin(route, persona, client, target)
            return
        place, path = target.place, target.path
        response = self.get(client, route, path, persona, place)
        if response is None:
            return
        status = response.status_code
        self.report.statuses[(persona, status)] += 1
        if status == 200:
            self.report.ok.add((route.key, persona))
        text = response_text(response)
        for words in target.repeats:
            text = text.replace(words, "")
        if hits := self.sentinels[persona].find(text, target.echo):
            self.fail("leak", route, f"GET {path} → {status} shows {_short(hits)}", persona, place, hits)
        elif response.get("Content-Type", "").startswith("application/json"):
            # The same resource through DRF's browsable API: its forms list related objects too. And a paged
            # list's last page: the first holds whatever sorts first, which may well lie inside every scope.
            extra = [(path, {"HTTP_ACCEPT": "text/html"}, " (text/html)")]
            if status == 200 and isinstance(body := json.loads(text), dict) and body.get("next"):
                extra.append((f"{path}?page=last", {}, ""))
            for url, headers, note in extra:
                more = self.get(client, route, url, persona, place, **headers)
                if more is not None and (hits := self.sentinels[persona].find(response_text(more), target.echo)):
                    self.fail("leak", route, f"GET {url}{note} → {more.status_code} shows {_short(hits)}", persona,
                              place, hits)
        if place and not self.scopes[persona].contains(self.world[place].code) and status not in OUT_OF_SCOPE_OK:
            self.fail("not-404", route, f"GET {path} → {status} for an object outside the scope (want 404)", persona,
                      place)

    def get(self, client: Client, route: Route, path: str, persona: str, place: str, **headers: Any) -> Any:
        # A savepoint per request: on PostgreSQL a failed query would otherwise poison the test transaction.
        try:
            with transaction.atomic():
                return client.get(path, **headers)
        except Exception as error:  # noqa: BLE001 — every crash is a finding, and the walk goes on
            self.fail("server-error", route, f"GET {path} raised {type(error).__name__}: {error}", persona, place)
            return None


def _echo(kwargs: Mapping[str, Any]) -> frozenset[str]:
    return frozenset(str(value) for value in kwargs.values())


def _static(part: Any) -> str:
    fmt = [fmt for fmt, params in normalize(part.regex.pattern) if not params]
    return fmt[0] if fmt else str(part)


def _short(hits: list[str], limit: int = 8) -> str:
    return ", ".join(hits[:limit]) + (f" … (+{len(hits) - limit})" if len(hits) > limit else "")


def walk(urlconf: str | ModuleType | None = None, *, samples: Mapping[str, Sample] | None = None) -> WalkReport:
    """Walk `urlconf` (default: settings.ROOT_URLCONF) as anonymous and the three personas. Needs the demo
    data and database access (use inside a test with the `db` fixture)."""
    samples = SAMPLES if samples is None else samples
    # Hundreds of expected 403/404s would bury the report; failures carry what matters.
    request_log = logging.getLogger("django.request")
    level, request_log.level = request_log.level, logging.CRITICAL
    try:
        with override_settings(ROOT_URLCONF=urlconf or settings.ROOT_URLCONF):
            return _Walker(urlconf, samples).run()
    finally:
        request_log.setLevel(level)
