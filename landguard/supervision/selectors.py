"""Reads of supervision records, always through the caller's RegionScope (the record's region_code: the
village, township or county it lies in). Pages, API, exports, the map and the statistics read here only."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from landguard.core.scope import RegionScope, one_or_404
from landguard.regions.models import Level, Region
from landguard.supervision.models import (
    AlarmSource, Camera, Case, Channel, Clue, ClueEvent, Deadline, DeadlinePolicy, Delivery, Detection,
    OfficialFarmlandFigure, Patch, PatchBatch, Patrol, Photo, Recipient, Task,
)


def sources(scope: RegionScope) -> QuerySet[AlarmSource]:
    return scope.filter(AlarmSource.objects.all(), "region_code")


def get_source(scope: RegionScope, pk: int) -> AlarmSource:
    return one_or_404(sources(scope), pk=pk)


def cameras(scope: RegionScope) -> QuerySet[Camera]:
    return scope.filter(Camera.objects.select_related("source"), "region_code")


def get_camera(scope: RegionScope, pk: int) -> Camera:
    return one_or_404(cameras(scope), pk=pk)


def covered_regions(scope: RegionScope, camera: Camera) -> QuerySet[Region]:
    """Townships and villages the camera's coverage disc reaches — those inside the scope only."""
    qs = Region.objects.filter(code__startswith=camera.region_code[:6], retired_in__isnull=True,
                               level__in=(Level.TOWNSHIP, Level.VILLAGE), geom__intersects=camera.coverage)
    return scope.filter(qs, "code").only("code", "name", "level").order_by("code")


def clues(scope: RegionScope) -> QuerySet[Clue]:
    return scope.filter(Clue.objects.select_related("triaged_by"), "region_code")


def get_clue(scope: RegionScope, pk: int) -> Clue:
    return one_or_404(clues(scope), pk=pk)


def clue_events(scope: RegionScope) -> QuerySet[ClueEvent]:
    return scope.filter(ClueEvent.objects.all(), "clue__region_code")


def detections(scope: RegionScope) -> QuerySet[Detection]:
    return scope.filter(Detection.objects.select_related("camera"), "clue__region_code")


def tasks(scope: RegionScope) -> QuerySet[Task]:
    return scope.filter(Task.objects.select_related("clue"), "region_code")


def get_task(scope: RegionScope, pk: int) -> Task:
    return one_or_404(tasks(scope), pk=pk)


def get_photo(scope: RegionScope, of: Task, pk: int) -> Photo:
    """A photo of a task already fetched inside the scope (`get_task`); another task's photo answers 404."""
    return one_or_404(Photo.objects.filter(task=of), pk=pk)


def my_tasks(scope: RegionScope, user) -> QuerySet[Task]:
    """Tasks pushed to the user: through their org unit, or to them as a field chief."""
    pushed = Q(recipients__field_chief__user=user)
    if user.org_unit_id:
        pushed |= Q(recipients__org_unit_id=user.org_unit_id)
    return tasks(scope).filter(pushed).distinct().order_by("status", "-dispatched_at")


def recipients(scope: RegionScope) -> QuerySet[Recipient]:
    return scope.filter(Recipient.objects.all(), "task__region_code")


def deadlines(scope: RegionScope) -> QuerySet[Deadline]:
    return scope.filter(Deadline.objects.select_related("task"), "task__region_code")


def policies(scope: RegionScope) -> QuerySet[DeadlinePolicy]:
    return scope.filter(DeadlinePolicy.objects.all(), "region_code")


def get_policy(scope: RegionScope, pk: int) -> DeadlinePolicy:
    return one_or_404(policies(scope), pk=pk)


def channels(scope: RegionScope) -> QuerySet[Channel]:
    return scope.filter(Channel.objects.all(), "region_code")


def has_push_channel(scope: RegionScope) -> bool:
    """Whether any active outside channel (企业微信 / 钉钉 / SMS) reaches the scope: filed inside it or at a region
    above it (notify.push sends a task to the channels of its region and of every region above)."""
    return Channel.objects.filter(scope.q_reaching("region_code"), is_active=True).exists()


def get_channel(scope: RegionScope, pk: int) -> Channel:
    return one_or_404(channels(scope), pk=pk)


def deliveries(scope: RegionScope) -> QuerySet[Delivery]:
    return scope.filter(Delivery.objects.select_related("channel", "task"), "region_code")


def patrols(scope: RegionScope) -> QuerySet[Patrol]:
    return scope.filter(Patrol.objects.select_related("user", "field_chief", "org_unit"), "region_code")


def get_patrol(scope: RegionScope, pk: int) -> Patrol:
    return one_or_404(patrols(scope), pk=pk)


def batches(scope: RegionScope) -> QuerySet[PatchBatch]:
    return scope.filter(PatchBatch.objects.all(), "region_code")


def patches(scope: RegionScope) -> QuerySet[Patch]:
    return scope.filter(Patch.objects.select_related("batch"), "region_code")


def get_patch(scope: RegionScope, pk: int) -> Patch:
    return one_or_404(patches(scope), pk=pk)


def cases(scope: RegionScope) -> QuerySet[Case]:
    return scope.filter(Case.objects.select_related("clue"), "region_code")


def get_case(scope: RegionScope, pk: int) -> Case:
    return one_or_404(cases(scope), pk=pk)


def townships(scope: RegionScope) -> dict[str, str]:
    """code → name of the current townships inside the scope (the rows of every per-township table)."""
    qs = scope.filter(Region.objects.filter(level=Level.TOWNSHIP, retired_in__isnull=True), "code")
    return dict(qs.order_by("code").values_list("code", "name"))


def official_farmland(scope: RegionScope, year: int) -> dict[str, OfficialFarmlandFigure]:
    """region code → the official 新增建设用地占用耕地 figure of the year, for the regions inside the scope."""
    qs = scope.filter(OfficialFarmlandFigure.objects.filter(year=year).select_related("region"), "region_code")
    return {f.region_code: f for f in qs}
