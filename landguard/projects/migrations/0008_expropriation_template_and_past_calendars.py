"""Seed data: the built-in 土地征收 procedure (landguard.projects.expropriation) as a national template, and the
official holiday schedules of 2020–2024 (landguard.projects.calendar), so histories of those years count
working days right. Dates already in the calendar are left as they are."""

from django.db import migrations


def seed(apps, schema_editor):
    from landguard.projects import expropriation
    from landguard.projects.calendar import PAST_YEARS, load_official_years

    ProcedureTemplate = apps.get_model("projects", "ProcedureTemplate")
    TemplateStep = apps.get_model("projects", "TemplateStep")
    load_official_years(PAST_YEARS, apps.get_model("projects", "CalendarDay"))
    if ProcedureTemplate.objects.filter(key=expropriation.TEMPLATE_KEY, region_code="").exists():
        return
    template = ProcedureTemplate.objects.create(name=expropriation.TEMPLATE_NAME, key=expropriation.TEMPLATE_KEY,
                                                description=expropriation.DESCRIPTION)
    steps = {}
    for spec in expropriation.chain():
        values = {k: v for k, v in spec.items() if k != "depends_on"}
        steps[spec["order"]] = TemplateStep.objects.create(template=template, **values)
    for spec in expropriation.chain():
        steps[spec["order"]].depends_on.set([steps[d] for d in spec.get("depends_on", ())])


def unseed(apps, schema_editor):
    from landguard.projects import expropriation
    from landguard.projects.calendar import PAST_YEARS, official_days

    # A template projects already follow stays (their steps came from it); an unused one goes.
    used = apps.get_model("projects", "Project").objects.filter(template__isnull=False).values("template_id")
    apps.get_model("projects", "ProcedureTemplate").objects.filter(
        key=expropriation.TEMPLATE_KEY, region_code="").exclude(pk__in=used).delete()
    days = [day for year in PAST_YEARS for day, _kind, _name in official_days(year)]
    apps.get_model("projects", "CalendarDay").objects.filter(date__in=days).delete()


class Migration(migrations.Migration):
    dependencies = [("projects", "0007_step_rules")]
    operations = [migrations.RunPython(seed, unseed)]
