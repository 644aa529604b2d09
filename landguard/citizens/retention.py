"""Retention of personal data (issue 15 item 6): a closed consultation, 12345 order or 信访 case older than its kind's
CITIZENS_RETENTION_YEARS drops the person it was filed with — the matter stays, counted in every figure, its title
replaced — and a person left with no matter, party, look-up or homestead right is deleted (number, cipher and name
with them). Registrations and homestead applications are never purged: 不动产登记 files are kept for good. Run by
`manage.py purge_personal_data` (a dry run first); each run leaves one audit entry with its counts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from landguard.audit import services as audit
from landguard.audit.models import AuditEntry
from landguard.citizens import tunables
from landguard.citizens.models import DataRequest, Matter, Party, Person
from landguard.core import clock

PURGEABLE = (Matter.Kind.CONSULTATION, Matter.Kind.WORK_ORDER, Matter.Kind.PETITION)
PURGED = "（个人信息已按保存期限清除）"  # stored as the matter's title; the same words in every language


@dataclass(frozen=True)
class Purge:
    matters: int
    persons: int


def _due(today: dt.date) -> Q:
    years = tunables.get("CITIZENS_RETENTION_YEARS")
    due = Q(pk__in=[])
    for kind in PURGEABLE:
        if (keep := years.get(kind)) is None:
            continue
        before = timezone.make_aware(dt.datetime.combine(today.replace(year=today.year - int(keep)), dt.time.min))
        due |= Q(kind=kind, closed_at__lt=before)
    return due


@transaction.atomic
def purge(*, dry_run: bool = False) -> Purge:
    today = clock.today()
    matters = Matter.objects.filter(_due(today)).exclude(title=PURGED)
    affected = set(matters.exclude(applicant__isnull=True).values_list("applicant_id", flat=True))
    ids = list(matters.values_list("pk", flat=True))
    if dry_run:
        return Purge(len(ids), len(affected))
    Matter.objects.filter(pk__in=ids).update(applicant=None, title=PURGED)
    orphans = Person.objects.filter(pk__in=affected).exclude(
        Q(matters__isnull=False) | Q(pk__in=Party.objects.values("person_id"))
        | Q(pk__in=DataRequest.objects.exclude(subject__isnull=True).values("subject_id"))
        | Q(homestead_right__isnull=False))
    removed = orphans.count()
    orphans.delete()
    if ids:  # one entry for the run, filed under the first matter it cleared
        first = Matter.objects.get(pk=min(ids))
        audit.record(actor=None, action=AuditEntry.Action.DELETE, target=first, region_code=first.region_code,
                     note=_("按保存期限清除个人信息：%(matters)s 件事项，删除 %(persons)s 名办事人") % {
                         "matters": len(ids), "persons": removed})
    return Purge(len(ids), removed)
