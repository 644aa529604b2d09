"""Breaches climb the field-chief ladder: Deadline.escalation_level / escalate_at, one Escalation row per
level, and deadline rules per region. Existing deadlines are carried over: an unbreached running one climbs
from its due time; a breached one (escalated once already) is at level 1, its next level due one breach
period after its due time (the step's default duration: no regional rules existed before this migration)."""

import datetime as dt

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

DEFAULT_MINUTES = {"report": ("SUPERVISION_REPORT_MINUTES", 60), "on_site": ("SUPERVISION_ONSITE_MINUTES", 60),
                   "restore": ("SUPERVISION_RESTORE_MINUTES", 24 * 60)}


def carry_over(apps, schema_editor):
    Deadline = apps.get_model("supervision", "Deadline")
    DeadlinePolicy = apps.get_model("supervision", "DeadlinePolicy")
    field = {"report": "report_minutes", "on_site": "onsite_minutes", "restore": "restore_minutes"}
    policies = list(DeadlinePolicy.objects.all())
    running = Deadline.objects.filter(met_at__isnull=True, waived=False)
    running.filter(breached_at__isnull=True).update(escalate_at=models.F("due_at"))
    for d in running.filter(breached_at__isnull=False).select_related("task__clue"):
        fitting = [p for p in policies if p.kind in ("", d.task.clue.kind) and p.severity in ("", d.task.severity)]
        best = max(fitting, key=lambda p: (bool(p.kind), bool(p.severity)), default=None)
        name, default = DEFAULT_MINUTES[d.step]
        minutes = getattr(best, field[d.step]) if best else float(getattr(settings, name, default))
        Deadline.objects.filter(pk=d.pk).update(escalation_level=1, escalate_at=d.due_at + dt.timedelta(minutes=minutes))


class Migration(migrations.Migration):

    dependencies = [
        ('people', '0001_initial'),
        ('supervision', '0001_initial'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='deadlinepolicy',
            options={'ordering': ['region_code', 'kind', 'severity'], 'verbose_name': '时限规则', 'verbose_name_plural': '时限规则'},
        ),
        migrations.AlterModelOptions(
            name='escalation',
            options={'ordering': ['deadline', 'level'], 'verbose_name': '超时升级', 'verbose_name_plural': '超时升级'},
        ),
        migrations.RemoveConstraint(
            model_name='deadlinepolicy',
            name='deadline_policy_unique',
        ),
        migrations.RemoveIndex(
            model_name='deadline',
            name='deadline_due',
        ),
        migrations.AddField(
            model_name='deadline',
            name='escalate_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='下次升级时间'),
        ),
        migrations.AddField(
            model_name='deadline',
            name='escalation_level',
            field=models.PositiveSmallIntegerField(default=0, verbose_name='已升级次数'),
        ),
        migrations.AddField(
            model_name='deadlinepolicy',
            name='region_code',
            field=models.CharField(blank=True, db_index=True, help_text='该区划内的线索适用此规则；留空为全平台默认', max_length=12, verbose_name='适用区划代码'),
        ),
        migrations.AddField(
            model_name='escalation',
            name='level',
            field=models.PositiveSmallIntegerField(default=1, verbose_name='升级次序'),
        ),
        migrations.AlterField(
            model_name='escalation',
            name='deadline',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='escalations', to='supervision.deadline', verbose_name='时限'),
        ),
        migrations.AddIndex(
            model_name='deadline',
            index=models.Index(fields=['met_at', 'escalate_at'], name='deadline_escalate'),
        ),
        migrations.AddConstraint(
            model_name='deadlinepolicy',
            constraint=models.UniqueConstraint(fields=('region_code', 'kind', 'severity'), name='deadline_policy_unique'),
        ),
        migrations.AddConstraint(
            model_name='escalation',
            constraint=models.UniqueConstraint(fields=('deadline', 'level'), name='escalation_unique_level'),
        ),
        migrations.RunPython(carry_over, migrations.RunPython.noop),
    ]
