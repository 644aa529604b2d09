"""One of each battle-map record located in a township, for the access walk (tests/access_walk.py) and the
battle-map tests: a project with a boundary inside the township, a running step with a 容缺 item, a problem, a
service request, a service group, a responsibility list, a procedure template of the township and a weekly
report delivered to the township's leadership group (its files stored under MEDIA_ROOT)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from landguard.core import clock
from landguard.demo.projects import _square
from landguard.people.models import OrgUnit, User
from landguard.projects import imports, report_delivery, services
from landguard.projects.models import Dispatch, Problem, Project, ServiceRequest, Step
from landguard.regions.models import Region


def project_objects(township: Region) -> dict[str, Any]:
    today = clock.today()
    group = services.create_service_group(actor=None, region=township, name=f"{township.name}服务组（演示）",
                                          headquarters=f"{township.name}项目指挥部（演示）", is_synthetic=True)
    project = services.create_project(actor=None, name=f"{township.name}示例项目（演示）", level=Project.Level.COUNTY,
                                      service_group=group, boundary=_square(township, 0.002),
                                      boundary_source=Project.BoundarySource.UPLOAD, start_on=today, is_synthetic=True)
    step = project.steps.get(order=1)
    services.start_step(actor=None, step=step, on=today)
    item = services.add_deferred_item(actor=None, step=step, material=f"{township.name}权属证明", promised_on=today,
                                      owner="示例")
    problem = services.raise_problem(actor=None, project=project, category=Problem.Category.OTHER, division="示例科室",
                                     description=f"{township.name}示例问题", deadline=today)
    # A county-level commissioner: a township account's name would show a township outside the scope.
    commissioner = User.objects.filter(scope_region__code=township.code[:6]).order_by("username").first()
    request = services.create_service_request(actor=None, enterprise=f"{township.name}示例企业",
                                              kind=ServiceRequest.Kind.OTHER,
                                              request="示例诉求", commissioner=commissioner, received_on=today,
                                              project=project)
    village = township.children.filter(retired_in__isnull=True).order_by("code").first()
    target_list = None
    if village is not None:
        wb = Workbook()
        wb.active.append(["地区", "用地任务件数", "用地任务面积（万亩）"])
        wb.active.append([village.code, 1, 0.01])
        with tempfile.TemporaryDirectory(prefix="landguard-sample-") as tmp:
            path = Path(tmp) / "list.xlsx"
            wb.save(path)
            target_list = imports.import_target_list(path, actor=None, name=f"{township.name}责任清单（演示）",
                                                     region=township,
                                                     period_start=today, period_end=today, is_synthetic=True)
    template = services.save_template(actor=None, name=f"{township.name}审批流程（演示）", region=township, steps=[
        services.StepSpec(order=1, name=f"{township.name}选址会审", limit_days=5),
        services.StepSpec(order=2, name="规划条件", limit_days=10, depends_on=(1,), counts_for_targets=True)])
    leaders = OrgUnit.objects.create(name=f"{township.name}用地保障领导小组（演示）",
                                     kind=OrgUnit.Kind.LEADERSHIP_GROUP,
                                     region=township, is_synthetic=True)
    report = Dispatch.objects.create(kind=Dispatch.Kind.WEEKLY, period=today, group=leaders, region_code=township.code,
                                     due_at=clock.now())
    report_delivery.claim(report.pk, now=clock.now(), worker="walk")
    report_delivery.deliver(report.pk, worker="walk")
    return {"project": project, "step": Step.objects.get(pk=step.pk), "deferred_item": item, "problem": problem,
            "service_request": request, "service_group": group, "target_list": target_list,
            "procedure_template": template, "dispatch": Dispatch.objects.get(pk=report.pk)}
