"""No "X object (n)" in front of people: every model of every landguard app has a human `__str__`. The walk takes a
row of each model from the demo county (or, for the few the demo leaves empty, builds one from demo rows) and
checks what str() gives."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.apps import apps
from django.db.models import Model

from landguard.core import clock

pytestmark = pytest.mark.django_db

DJANGO_DEFAULT = re.compile(r"\bobject \(\w*\)")


def _built(model: type[Model]) -> Model | None:
    """An unsaved instance of a model the demo leaves empty, made of demo rows."""
    from landguard.jobs.models import Job
    from landguard.projects.models import Dispatch
    from landguard.regions.models import Region
    from landguard.supervision.models import (
        Case, CasePause, Channel, DeadlinePolicy, Delivery, FieldSubmission, OfficialFarmlandFigure, Task,
    )

    from landguard.approvals.models import Dossier, DossierOverlayCounty, DossierOverlayResult
    from landguard.citizens.models import Matter, WorkOrder
    from landguard.supervision.models import Patch, ProvinceBatchCounty, ProvinceBatchPatch

    now = clock.now()
    channel = Channel(name="冠县耕保群（测试）", kind=Channel.Kind.WECOM)
    job = Job(pk=7, kind=Job.Kind.PROVINCE_BATCH, original_name="")
    builders = {
        Job: lambda: Job(pk=7, kind=Job._meta.get_field("kind").choices[0][0], original_name="test.xlsx"),
        Dispatch: lambda: Dispatch(kind=Dispatch._meta.get_field("kind").choices[0][0], period=now.date()),
        DeadlinePolicy: lambda: DeadlinePolicy(report_minutes=60, onsite_minutes=60, restore_minutes=1440),
        Channel: lambda: channel,
        Delivery: lambda: Delivery(channel=channel, task=Task.objects.first(), title="核查任务", text="…",
                                   created_at=now, next_attempt_at=now),
        OfficialFarmlandFigure: lambda: OfficialFarmlandFigure(region=Region.objects.get(code="371525",
                                                                                          retired_in__isnull=True),
                                                               year=2026, farmland_m2=1.0),
        WorkOrder: lambda: WorkOrder(order_no="GX12345-T1", matter=Matter.objects.first()),
        FieldSubmission: lambda: FieldSubmission(key="k1", task=Task.objects.first(),
                                                 action=FieldSubmission.Action.values[0], received_at=now,
                                                 effective_at=now),
        ProvinceBatchCounty: lambda: ProvinceBatchCounty(job=job, region_code="371525", year=2026, written_at=now),
        ProvinceBatchPatch: lambda: ProvinceBatchPatch(job=job, patch=Patch.objects.first(), region_code="371525",
                                                       farmland_gross_m2=0, farmland_net_m2=0),
        DossierOverlayCounty: lambda: DossierOverlayCounty(job=job, region_code="371525", written_at=now),
        DossierOverlayResult: lambda: DossierOverlayResult(job=job, dossier=Dossier.objects.first(),
                                                           region_code="371525"),
        CasePause: lambda: CasePause(case=Case.objects.first(), kind=CasePause.Kind.HEARING, reason="听证",
                                     started_at=now - dt.timedelta(days=2)),
    }
    return builders[model]() if model in builders else None


def _models() -> list[type[Model]]:
    return [m for m in apps.get_models() if m.__module__.startswith("landguard.") and not m._meta.auto_created]


@pytest.mark.parametrize("model", _models(), ids=lambda m: m._meta.label)
def test_every_model_reads_as_words_not_as_object_n(model):
    obj = model.objects.first() or _built(model)
    assert obj is not None, f"{model._meta.label}: the demo has no row and the test builds none — add a builder"
    text = str(obj)
    assert text.strip(), f"{model._meta.label} reads as nothing"
    assert not DJANGO_DEFAULT.search(text), f"{model._meta.label} reads as Django's default: {text!r}"
    assert model.__str__ is not Model.__str__, f"{model._meta.label} has no __str__ of its own"
