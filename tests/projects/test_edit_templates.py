"""Procedure templates and per-project dependencies: admins edit the chain (steps, order, responsible unit,
working or calendar limits, predecessors → parallel steps, the step that counts for targets); a cycle is
refused naming its steps, a reference to a missing step naming it; every change is audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from landguard.audit.models import AuditEntry
from landguard.projects import services
from landguard.projects.models import ProcedureTemplate, Project, Step
from landguard.projects.services import StepSpec

pytestmark = pytest.mark.django_db

CHAIN = [StepSpec(1, "选址", 5, responsible_unit="规划科"), StepSpec(2, "规划条件", 10, depends_on=(1,)),
         StepSpec(3, "环评", 20, "calendar", depends_on=(1,)),
         StepSpec(4, "供地", 3, depends_on=(2, 3), counts_for_targets=True)]


def _formset(rows: list[dict]) -> dict[str, str]:
    data = {"steps-TOTAL_FORMS": str(len(rows)), "steps-INITIAL_FORMS": "0", "steps-MIN_NUM_FORMS": "0",
            "steps-MAX_NUM_FORMS": "60"}
    for i, row in enumerate(rows):
        data.update({f"steps-{i}-{k}": str(v) for k, v in row.items()})
    return data


def test_a_cycle_is_refused_naming_the_steps_along_it(county_admin, guanxian):
    chain = [StepSpec(1, "选址", 5, depends_on=(3,)), StepSpec(2, "规划条件", 10, depends_on=(1,)),
             StepSpec(3, "供地", 3, depends_on=(2,))]
    with pytest.raises(ValidationError) as error:
        services.save_template(actor=county_admin, name="循环流程", region=guanxian, steps=chain)
    assert "前置环节形成循环：1. 选址 → 2. 规划条件 → 3. 供地 → 1. 选址" in error.value.messages[0]
    assert not ProcedureTemplate.objects.filter(name="循环流程").exists()


def test_a_step_depending_on_itself_or_on_a_missing_number_is_refused(county_admin, guanxian):
    with pytest.raises(ValidationError, match="1. 选址 → 1. 选址"):
        services.save_template(actor=county_admin, name="自环", region=guanxian,
                               steps=[StepSpec(1, "选址", 5, depends_on=(1,))])
    with pytest.raises(ValidationError) as error:
        services.save_template(actor=county_admin, name="悬空", region=guanxian,
                               steps=[StepSpec(1, "选址", 5, depends_on=(7,))])
    assert error.value.messages == ["环节“1. 选址”的前置环节 7 不存在。"]
    with pytest.raises(ValidationError, match="序号重复：1"):
        services.save_template(actor=county_admin, name="重复", region=guanxian,
                               steps=[StepSpec(1, "甲", 5), StepSpec(1, "乙", 5)])


def test_a_new_project_runs_the_templates_parallel_steps_with_their_limits(county_admin, guanxian, at):
    at(dt.date(2025, 6, 3))
    template = services.save_template(actor=county_admin, name="冠县简化流程", region=guanxian, steps=CHAIN)
    project = services.create_project(actor=county_admin, name="模板测试项目", level=Project.Level.COUNTY,
                                      region=guanxian,
                                      template=template)
    steps = {s.name: s for s in project.steps.prefetch_related("depends_on")}
    assert steps["规划条件"].planned_start == steps["环评"].planned_start == steps["选址"].planned_finish  # parallel
    assert steps["环评"].limit_unit == "calendar" and steps["选址"].responsible_unit == "规划科"
    assert steps["供地"].planned_start == max(steps["规划条件"].planned_finish, steps["环评"].planned_finish)
    assert steps["供地"].counts_for_targets and {d.name for d in steps["供地"].depends_on.all()} == {"规划条件", "环评"}


def test_admins_edit_templates_on_the_page_and_the_change_is_audited(client_for, county_admin, guanxian):
    client = client_for(county_admin)
    rows = [{"order": 1, "name": "选址", "limit_days": 5, "limit_unit": "working", "depends_on": ""},
            {"order": 2, "name": "规划条件", "limit_days": 10, "limit_unit": "working", "depends_on": "1"},
            {"order": 3, "name": "环评", "limit_days": 20, "limit_unit": "calendar", "depends_on": "1",
             "counts_for_targets": "on"}]
    response = client.post("/projects/templates/new/",
                           {"name": "页面新建流程", "region": guanxian.pk, **_formset(rows)})
    assert response.status_code == 302, response.content.decode()[-2000:]
    template = ProcedureTemplate.objects.get(name="页面新建流程")
    assert [(s.order, s.name) for s in template.steps.all()] == [(1, "选址"), (2, "规划条件"), (3, "环评")]
    rows[0]["depends_on"] = "3"  # 选址 after 环评, which waits for 选址: a cycle
    response = client.post(f"/projects/templates/{template.pk}/edit/", {"name": "页面新建流程", "region": guanxian.pk,
                                                                        **_formset(rows)})
    assert response.status_code == 400
    assert "前置环节形成循环：1. 选址 → 3. 环评 → 1. 选址" in response.content.decode()
    rows[0]["depends_on"] = ""
    rows[2]["limit_days"] = 15
    client.post(f"/projects/templates/{template.pk}/edit/",
                {"name": "页面新建流程", "region": guanxian.pk, **_formset(rows)})
    entries = AuditEntry.objects.filter(target_type="projects.proceduretemplate",
                                        target_id=str(template.pk)).order_by("id")
    assert [e.action for e in entries] == ["create", "update"]
    before, after = entries[1].changes["流程环节"]
    assert "3. 环评（20 自然日" in before and "3. 环评（15 自然日" in after
    assert "流程环节" in client.get(f"/projects/templates/{template.pk}/").content.decode()


def test_only_admins_edit_templates_and_only_a_superuser_the_national_ones(client_for, county_admin, township_officer,
    guanxian):
    default = ProcedureTemplate.objects.get(is_default=True, region__isnull=True)
    assert client_for(township_officer).get("/projects/templates/new/").status_code == 403
    assert client_for(county_admin).get(f"/projects/templates/{default.pk}/edit/").status_code == 403
    with pytest.raises(PermissionDenied):
        services.save_template(actor=county_admin, template=default, name=default.name, region=guanxian, steps=CHAIN)
    with pytest.raises(ValidationError, match="全国通用模板只有系统管理员"):
        services.save_template(actor=county_admin, name="无区域", steps=CHAIN)
    copy = client_for(county_admin).get(f"/projects/templates/new/?copy={default.pk}")
    assert copy.status_code == 200 and "不动产权证" in copy.content.decode()  # the default chain to start from


def test_a_projects_dependencies_change_and_waiting_steps_are_planned_again(county_admin, guanxian, at):
    at(dt.date(2025, 6, 3))
    project = services.create_project(actor=county_admin, name="依赖测试项目", level=Project.Level.COUNTY,
                                      region=guanxian)
    steps = {s.order: s for s in project.steps.all()}
    second = steps[2]
    services.set_step_dependencies(actor=county_admin, step=second, depends_on=[steps[1]])
    second.refresh_from_db()
    assert second.planned_start == Step.objects.get(pk=steps[1].pk).planned_finish
    with pytest.raises(ValidationError, match="前置环节形成循环"):
        services.set_step_dependencies(actor=county_admin, step=steps[1], depends_on=[second])
    entry = AuditEntry.objects.filter(target_type="projects.step", target_id=str(second.pk)).latest("id")
    assert entry.changes["depends_on"][1] == steps[1].name
    services.start_step(actor=county_admin, step=steps[1])
    with pytest.raises(ValidationError, match="已开始办理"):
        services.set_step_dependencies(actor=county_admin, step=steps[1], depends_on=[])


def test_staff_may_not_reshape_a_projects_chain(client_for, county_admin, township_officer, guanxian):
    project = services.create_project(actor=county_admin, name="依赖权限项目", level=Project.Level.COUNTY,
                                      region=guanxian)
    step = project.steps.get(order=2)
    assert client_for(township_officer).get(f"/projects/steps/{step.pk}/dependencies/").status_code == 403
    with pytest.raises(PermissionDenied):
        services.set_step_dependencies(actor=township_officer, step=step, depends_on=[])
