"""宅基地 资格权 and applications (domain-land.md §C.5): the services. A right is recognised once per person (the ID
number is its only number); an application by the household goes to the collective, is discussed and publicly
noticed, then approved or refused by the township. 一户一宅: a right already used, withdrawn or transferred, or a
household with an approved homestead, applies for none; the area stays within the province's cap for its land type
and within the right's 资格权面积. A homestead on 耕地 is approved only once the 农用地转用 dossier (approvals app)
that converts it is linked and approved. Approval uses the right. Each write is one transaction, audited; the
application's matter moves only as workflow.MATTER_TRANSITIONS allows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from landguard.approvals import selectors as approval_selectors
from landguard.approvals.models import Dossier
from landguard.audit import services as audit
from landguard.audit.models import AuditEntry
from landguard.citizens import tunables
from landguard.citizens.models import HomesteadApplication, HomesteadRight, Matter, MatterStatusChange
from landguard.citizens.services import _change, _locked, _require_writer, person_for
from landguard.citizens.workflow import MatterAction
from landguard.core import clock
from landguard.core.scope import scope_for
from landguard.people.models import User
from landguard.regions.models import Region

APPLICATION_FIELDS = ["stage", "discussed_on", "notice_from", "notice_until", "decided_on", "decision", "conversion"]


@transaction.atomic
def recognise_right(*, actor: User | None, region: Region, id_number: str, name: str, collective: str,
                    household: str, recognised_on: dt.date, area_m2: Decimal, unit_no: str = "",
                    is_synthetic: bool = False) -> HomesteadRight:
    """资格权人认定: one right per person, refused naming the person when they hold one already."""
    _require_writer(actor, region.code)
    try:
        person = person_for(id_number, name, is_synthetic=is_synthetic)
    except ValidationError as error:
        raise ValidationError({"id_number": error.messages}) from None
    if HomesteadRight.objects.filter(person=person).exists():
        raise ValidationError({"id_number": _("%(person)s 已认定宅基地资格权。") % {"person": person}})
    if area_m2 is None or area_m2 <= 0:
        raise ValidationError({"area_m2": _("资格权面积须大于零。")})
    if not collective.strip() or not household.strip():
        raise ValidationError(_("请填写集体经济组织和户。"))
    right = HomesteadRight(person=person, collective=collective.strip()[:80], household=household.strip()[:60],
                           region=region, region_code=region.code, recognised_on=recognised_on, area_m2=area_m2,
                           unit_no=unit_no.strip()[:28], is_synthetic=is_synthetic)
    right.full_clean(exclude=["person", "region"])
    right.save()
    audit.record_create(actor=actor, target=right, region_code=right.region_code)
    return right


def _one_household_one_homestead(right: HomesteadRight) -> None:
    if right.status != HomesteadRight.Status.VALID:
        raise ValidationError(_("资格权状态为“%(status)s”，不能再申请宅基地（一户一宅）。") % {
            "status": right.get_status_display()})
    approved = HomesteadApplication.objects.filter(
        right__collective=right.collective, right__household=right.household,
        stage=HomesteadApplication.Stage.APPROVED).select_related("right").first()
    if approved is not None:
        raise ValidationError(_("该户已有批准的宅基地（%(where)s），一户只能拥有一处宅基地。") % {
            "where": approved.location})


def _within_caps(right: HomesteadRight, land_type: str, area_m2: Decimal) -> None:
    cap = Decimal(str(tunables.get("CITIZENS_HOMESTEAD_AREA_CAPS")[land_type]))
    if area_m2 <= 0:
        raise ValidationError({"area_m2": _("申请面积须大于零。")})
    if area_m2 > cap:
        raise ValidationError({"area_m2": _("%(type)s的宅基地不得超过 %(cap)s 平方米。") % {
            "type": HomesteadApplication.LandType(land_type).label, "cap": cap}})
    if area_m2 > right.area_m2:
        raise ValidationError({"area_m2": _("申请面积超过资格权面积 %(area)s 平方米。") % {"area": right.area_m2}})


@transaction.atomic
def apply(*, actor: User | None, right: HomesteadRight, land_type: str, area_m2: Decimal, location: str,
          is_synthetic: bool = False) -> Matter:
    """A household's application, received by the collective."""
    _require_writer(actor, right.region_code)
    right = HomesteadRight.objects.select_for_update().get(pk=right.pk)
    if land_type not in HomesteadApplication.LandType.values:
        raise ValidationError({"land_type": _("请选择用地类型。")})
    if not location.strip():
        raise ValidationError({"location": _("请填写拟建位置。")})
    _one_household_one_homestead(right)
    _within_caps(right, land_type, area_m2)
    matter = Matter.objects.create(kind=Matter.Kind.HOMESTEAD, channel=Matter.Channel.WINDOW, applicant=right.person,
                                   region=right.region, region_code=right.region_code,
                                   title=_("%(household)s 宅基地申请") % {"household": right.household},
                                   received_at=clock.now(), handler=actor if getattr(actor, "pk", None) else None,
                                   is_synthetic=is_synthetic)
    HomesteadApplication.objects.create(matter=matter, right=right, land_type=land_type, area_m2=area_m2,
                                        location=location.strip()[:120])
    MatterStatusChange.objects.create(matter=matter, to_status=matter.status, at=clock.now(), actor=actor,
                                      note=_("户申请"))
    audit.record(actor=actor, action=AuditEntry.Action.CREATE, target=matter, region_code=matter.region_code,
                 note=_("宅基地申请"))
    return matter


def _application(matter: Matter) -> HomesteadApplication:
    return HomesteadApplication.objects.select_for_update().select_related("right").get(pk=matter.pk)


def _save(actor: User | None, matter: Matter, application: HomesteadApplication, before: dict, note: str) -> None:
    application.save()
    audit.record(actor=actor, action=AuditEntry.Action.UPDATE, target=matter, region_code=matter.region_code,
                 changes=audit.diff(before, audit.snapshot(application, APPLICATION_FIELDS)), note=note)


@transaction.atomic
def discuss_and_notice(*, actor: User | None, matter: Matter, discussed_on: dt.date) -> Matter:
    """集体讨论 recorded and the public notice started the same day, for the configured number of days."""
    matter = _locked(matter)
    _require_writer(actor, matter.region_code)
    application = _application(matter)
    if application.stage != HomesteadApplication.Stage.APPLIED:
        raise ValidationError(_("该申请已讨论公示。"))
    before = audit.snapshot(application, APPLICATION_FIELDS)
    days = int(tunables.get("CITIZENS_HOMESTEAD_NOTICE_DAYS"))
    application.stage = HomesteadApplication.Stage.NOTICED
    application.discussed_on, application.notice_from = discussed_on, discussed_on
    application.notice_until = discussed_on + dt.timedelta(days=days)
    matter.accepted_on = discussed_on
    _change(matter, MatterAction.ACCEPT, actor, _("集体讨论通过，公示至 %(day)s") % {
        "day": f"{application.notice_until:%Y-%m-%d}"})
    _save(actor, matter, application, before, _("集体讨论并公示"))
    return matter


@transaction.atomic
def link_conversion(*, actor: User | None, matter: Matter, dossier: Dossier) -> Matter:
    """The 农用地转用 dossier (approvals app) that converts the farmland a homestead takes; it must lie in the scope."""
    matter = _locked(matter)
    _require_writer(actor, matter.region_code)
    if actor is not None and not approval_selectors.dossiers(scope_for(actor)).filter(pk=dossier.pk).exists():
        raise ValidationError({"dossier": _("该报批卷宗不在您的数据范围内。")})
    application = _application(matter)
    before = audit.snapshot(application, APPLICATION_FIELDS)
    application.conversion = dossier
    _save(actor, matter, application, before, _("关联农用地转用卷宗：%(name)s") % {"name": dossier.name})
    return matter


@transaction.atomic
def decide(*, actor: User | None, matter: Matter, approve: bool, decision: str) -> Matter:
    """乡镇审批 after the notice has run: approval uses the right (一户一宅 checked again); a refusal gives the
    reason."""
    matter = _locked(matter)
    _require_writer(actor, matter.region_code)
    application = _application(matter)
    if application.stage != HomesteadApplication.Stage.NOTICED:
        raise ValidationError(_("须经集体讨论并公示后方可审批。"))
    today = clock.today()
    if application.notice_until is not None and today < application.notice_until:
        raise ValidationError(_("公示至 %(day)s，公示期满后方可审批。") % {
            "day": f"{application.notice_until:%Y-%m-%d}"})
    if not decision.strip():
        raise ValidationError({"decision": _("请填写审批意见。")})
    converted = application.conversion is not None and application.conversion.status == Dossier.Status.APPROVED
    if approve and application.land_type == HomesteadApplication.LandType.CULTIVATED and not converted:
        raise ValidationError(_("占用耕地的宅基地须先经农用地转用批准：请关联已批复的报批卷宗。"))
    before = audit.snapshot(application, APPLICATION_FIELDS)
    application.decided_on, application.decision = today, decision.strip()
    matter.closed_at = clock.now()
    if approve:
        right = HomesteadRight.objects.select_for_update().get(pk=application.right_id)
        _one_household_one_homestead(right)
        application.stage = HomesteadApplication.Stage.APPROVED
        HomesteadRight.objects.filter(pk=right.pk).update(status=HomesteadRight.Status.USED)
        _change(matter, MatterAction.COMPLETE, actor, _("乡镇批准"))
    else:
        application.stage = HomesteadApplication.Stage.REFUSED
        _change(matter, MatterAction.REFUSE, actor, _("不予批准：%(reason)s") % {"reason": decision.strip()})
    _save(actor, matter, application, before, _("乡镇审批"))
    return matter
