"""Seed data every installation needs: the default procedure chain (domain.md §5) and the official holiday
schedules of 2025 and 2026 (landguard.projects.calendar)."""

from django.db import migrations

# (order, name, responsible unit, limit, unit, predecessors (orders), counts for targets).
# The chain is domain.md §5. The time limits are working assumptions (domain.md: no national source), to be
# set by each bureau on its own template. 用地预审与选址意见书 and 规划条件 have no predecessor: 德州 reviews
# site selection and planning conditions in parallel; 不动产权证 follows the land supply, in parallel with the
# planning permits. 农转用/征收组卷报批 (approval obtained) is the step a responsibility list counts.
DEFAULT_CHAIN = [
    (1, "用地预审与选址意见书", "国土空间规划科", 20, "working", (), False),
    (2, "规划条件", "国土空间规划科", 10, "working", (), False),
    (3, "农转用/征收组卷报批", "耕地保护科", 40, "working", (1,), True),
    (4, "供地方案", "自然资源利用科", 15, "working", (2, 3), False),
    (5, "划拨决定书/出让合同", "自然资源利用科", 20, "working", (4,), False),
    (6, "建设用地规划许可证", "国土空间规划科", 7, "working", (5,), False),
    (7, "建设工程规划许可证", "国土空间规划科", 10, "working", (6,), False),
    (8, "不动产权证", "不动产登记中心", 5, "working", (5,), False),
]


def seed(apps, schema_editor):
    from landguard.projects.calendar import SEEDED_IN_0002, UNVERIFIED_NOTE, UNVERIFIED_YEARS, official_days

    ProcedureTemplate = apps.get_model("projects", "ProcedureTemplate")
    TemplateStep = apps.get_model("projects", "TemplateStep")
    CalendarDay = apps.get_model("projects", "CalendarDay")
    template = ProcedureTemplate.objects.create(
        name="重点项目用地审批默认流程", is_default=True,
        description="用地预审与选址意见书 → 规划条件 → 农转用/征收组卷报批 → 供地方案 → 划拨决定书/出让合同 → "
                    "建设用地规划许可证 → 建设工程规划许可证 → 不动产权证；办理时限为默认值，请按本地规定调整。")
    steps = {}
    for order, name, unit, limit, limit_unit, _deps, counts in DEFAULT_CHAIN:
        steps[order] = TemplateStep.objects.create(template=template, order=order, name=name, responsible_unit=unit,
                                                   limit_days=limit, limit_unit=limit_unit, counts_for_targets=counts)
    for order, *_rest, deps, _counts in DEFAULT_CHAIN:
        steps[order].depends_on.set([steps[d] for d in deps])
    for year in SEEDED_IN_0002:  # the past years came later, in 0008
        note = UNVERIFIED_NOTE if year in UNVERIFIED_YEARS else ""
        CalendarDay.objects.bulk_create([CalendarDay(date=day, kind=kind, name=name, note=note)
                                         for day, kind, name in official_days(year)])


def unseed(apps, schema_editor):
    apps.get_model("projects", "ProcedureTemplate").objects.filter(is_default=True, region__isnull=True).delete()
    apps.get_model("projects", "CalendarDay").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
