"""Reads of citizen matters, each taking the viewer's RegionScope (applied here and only here)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import models
from django.db.models import Count, F, Q, QuerySet

from landguard.citizens import documents
from landguard.citizens.models import (
    Consultation,
    DataRequest,
    HomesteadRight,
    Matter,
    MatterStatusChange,
    Party,
    Person,
    Petition,
    Registration,
    Topic,
)
from landguard.core.scope import RegionScope, one_or_404


OPEN_PETITION_STAGES = (Petition.Stage.REGISTERED, Petition.Stage.HANDLING, Petition.Stage.REVIEW,
                        Petition.Stage.RECHECK)


def matters(scope: RegionScope) -> QuerySet[Matter]:
    return scope.filter(Matter.objects.select_related("region", "applicant", "handler"), "region_code")


def registrations(scope: RegionScope) -> QuerySet[Matter]:
    return matters(scope).filter(kind=Matter.Kind.REGISTRATION).select_related("registration")


def get_matter(scope: RegionScope, pk: int) -> Matter:
    return one_or_404(matters(scope), pk=pk)


def get_registration(scope: RegionScope, pk: int) -> Matter:
    return one_or_404(registrations(scope), pk=pk)


def get_party_person(scope: RegionScope, matter_pk: int, person_pk: int) -> Person:
    """A person who is a party to (or the applicant of) a matter in the scope; 404 otherwise."""
    matter = get_matter(scope, matter_pk)
    ids = set(matter.parties.values_list("person_id", flat=True)) | {matter.applicant_id}
    if person_pk not in ids:
        from django.http import Http404
        raise Http404
    return Person.objects.get(pk=person_pk)


def history(matter: Matter) -> QuerySet[MatterStatusChange]:
    return matter.status_changes.select_related("actor")


def parties(matter: Matter) -> QuerySet[Party]:
    return matter.parties.select_related("person")


def data_requests(matter: Matter) -> QuerySet[DataRequest]:
    return matter.data_requests.select_related("subject", "operator")


def my_open(scope: RegionScope, user_id: int | None) -> QuerySet[Matter]:
    return matters(scope).filter(handler_id=user_id, status__in=[
        Matter.Status.RECEIVED, Matter.Status.NOTIFIED, Matter.Status.ACCEPTED]).order_by("target_on", "received_at")


@dataclass(frozen=True)
class NeedState:
    need: documents.Need
    state: str  # brought | fetched | pending | refused | missing
    request: DataRequest | None = None

    @property
    def satisfied(self) -> bool:
        return self.state in ("brought", "fetched")


def needs(matter: Matter) -> list[NeedState]:
    """Every material the registration needs and where it stands: brought by the applicant, fetched (a provider
    answered and the comparison matched), pending (an asynchronous answer awaited), refused (the provider answered
    and it does not match: e.g. the unit is seized) or missing."""
    registration = matter.registration
    party_rows = list(parties(matter))
    by_role = {"holders": [p for p in party_rows if p.role == Party.Role.HOLDER],
               "obligors": [p for p in party_rows if p.role == Party.Role.OBLIGOR]}
    by_role["all"] = by_role["holders"] + by_role["obligors"]
    wanted: list[documents.Need] = []
    for document, whom in documents.required_for(registration.reg_kind, registration.transfer_kind):
        if documents.keyed_on(document) == "person":
            for party in by_role.get(whom or "holders", []):
                wanted.append(documents.Need(document, party.person_id,
                                             f"{party.get_role_display()} {party.person.name}"))
        else:
            wanted.append(documents.Need(document, None))
    latest: dict[str, DataRequest | None] = {}
    for row in data_requests(matter).order_by("requested_at", "id"):
        latest[f"{row.document}:{row.subject_id or ''}"] = row
    brought = set(registration.documents_brought or [])
    out = []
    for need in wanted:
        request = latest.get(need.key)
        if need.key in brought or need.document in brought:
            out.append(NeedState(need, "brought", request))
        elif request is None or request.status in (DataRequest.Status.FAILED, DataRequest.Status.PENDING):
            out.append(NeedState(need, "missing", request))
        elif request.status == DataRequest.Status.REQUESTED:
            out.append(NeedState(need, "pending", request))
        else:
            out.append(NeedState(need, "fetched" if request.matched else "refused", request))
    return out


def helped(scope: RegionScope, requests: QuerySet) -> QuerySet[Matter]:
    """The registrations a land service commissioner handled under `requests` (shell.service_links)."""
    return registrations(scope).filter(service_request__in=requests.values("pk"))


def work_orders(scope: RegionScope) -> QuerySet[Matter]:
    return matters(scope).filter(kind=Matter.Kind.WORK_ORDER).select_related("work_order", "work_order__lead_unit")


def get_work_order(scope: RegionScope, pk: int) -> Matter:
    return one_or_404(work_orders(scope), pk=pk)


def petitions(scope: RegionScope) -> QuerySet[Matter]:
    return matters(scope).filter(kind=Matter.Kind.PETITION).select_related("petition", "petition__repeats")


def get_petition(scope: RegionScope, pk: int) -> Matter:
    return one_or_404(petitions(scope), pk=pk)


def is_overdue(matter: Matter, today: dt.date) -> bool:
    """A stage past its deadline: 受理告知, 办理 (with any approved extension), 复查 or 复核 not decided in time."""
    p = matter.petition
    return p.stage in OPEN_PETITION_STAGES and p.due_on is not None and p.due_on < today


def overdue_petitions(scope: RegionScope, today: dt.date) -> QuerySet[Matter]:
    return petitions(scope).filter(petition__stage__in=OPEN_PETITION_STAGES, petition__due_on__lt=today)


def related_petitions(scope: RegionScope, matter: Matter) -> QuerySet[Matter]:
    """Other cases of the same petitioner (by the ID number's keyed hash) or about the same parcel: the repeats."""
    p = matter.petition
    same = Q(applicant_id=matter.applicant_id) if matter.applicant_id else Q(pk__in=[])
    if p.parcel_ref:
        same |= Q(petition__parcel_ref=p.parcel_ref)
    return petitions(scope).filter(same).exclude(pk=matter.pk).order_by("-received_at")


@dataclass(frozen=True)
class PetitionBoard:
    """The leaders' 积案 board (临海: "40 涉土信访 screened, 13 积案 given 领导包案, 3 息访 signed, 1 事实息访")."""

    screened: int
    accepted: int
    backlog: int
    led: int
    signed: int
    de_facto: int
    overdue: int
    by_class: list[tuple[str, int]]
    backlog_rows: list[Matter]


def petition_board(scope: RegionScope, start: dt.date, end: dt.date, today: dt.date) -> PetitionBoard:
    """Petitions received in [start, end]: how many, accepted, 积案 and those with a 包案 leader, 息访 signed and
    in fact, and how many are past a deadline today; the 积案 themselves listed for the leaders."""
    received = petitions(scope).filter(received_at__date__range=(start, end))
    counts = received.aggregate(
        screened=Count("pk"),
        accepted=Count("pk", filter=~Q(petition__stage__in=(Petition.Stage.REGISTERED, Petition.Stage.NOT_ACCEPTED))),
        backlog=Count("pk", filter=~Q(petition__backlog="")),
        led=Count("pk", filter=~Q(petition__backlog="") & ~Q(petition__lead_leader="")),
        signed=Count("pk", filter=~Q(petition__backlog="") & Q(petition__settlement=Petition.Settlement.SIGNED)),
        de_facto=Count("pk", filter=~Q(petition__backlog="") & Q(petition__settlement=Petition.Settlement.DE_FACTO)),
        overdue=Count("pk", filter=Q(petition__stage__in=OPEN_PETITION_STAGES, petition__due_on__lt=today)))
    by_class = [(str(Petition.PClass(row["petition__pclass"]).label), row["n"]) for row in received.values(
        "petition__pclass").annotate(n=Count("pk")).order_by("petition__pclass")]
    rows = list(received.exclude(petition__backlog="").order_by("petition__settlement", "-received_at"))
    return PetitionBoard(by_class=by_class, backlog_rows=rows, **counts)


def consultations(scope: RegionScope) -> QuerySet[Matter]:
    return matters(scope).filter(kind=Matter.Kind.CONSULTATION).select_related("consultation")


@dataclass(frozen=True)
class ConsultationFigures:
    total: int
    by_topic: list[tuple[str, int]]
    by_channel: list[tuple[str, int]]
    by_answerer: list[tuple[str, int]]
    referred: list[tuple[str, int]]


def consultation_figures(scope: RegionScope, start: dt.date, end: dt.date) -> ConsultationFigures:
    """冠县's 法治工作室 figures for a period: consultations by topic, channel, who answered, and where sent."""
    rows = consultations(scope).filter(received_at__date__range=(start, end))

    def count(field: str, choices: type[models.TextChoices]) -> list[tuple[str, int]]:
        labels = {value: str(label) for value, label in choices.choices}
        found = rows.values(field).annotate(n=Count("pk")).order_by("-n", field)
        return [(labels.get(row[field], row[field]), row["n"]) for row in found]

    referred = rows.exclude(consultation__referral="")
    return ConsultationFigures(
        rows.count(), count("consultation__topic", Topic), count("channel", Matter.Channel),
        count("consultation__answered_by", Consultation.AnsweredBy),
        [(str(Consultation.Referral(row["consultation__referral"]).label), row["n"]) for row in referred.values(
            "consultation__referral").annotate(n=Count("pk")).order_by("-n", "consultation__referral")])


@dataclass(frozen=True)
class ServiceFigures:
    """The public-service figures of a period as the bureaus' reports state them (issue 15 item 5)."""

    registrations: int
    registrations_by_kind: list[tuple[str, int]]
    registrations_done: int
    registrations_within_target: int
    consultations: ConsultationFigures
    orders: int
    orders_closed: int
    orders_on_time: int
    orders_satisfied: int
    orders_called_back: int
    petitions: PetitionBoard


def service_figures(scope: RegionScope, start: dt.date, end: dt.date, today: dt.date) -> ServiceFigures:
    """Counted in the database (a county's year of registrations is thousands of rows); only the 12345 callbacks,
    kept as a JSON list per order, are read row by row. Dates are Beijing dates (closed_at__date in the current time
    zone)."""
    received = Q(received_at__date__range=(start, end))
    applications = registrations(scope).filter(received).order_by()
    by_kind = []
    for row in applications.values("registration__reg_kind", "registration__transfer_kind").annotate(n=Count("pk")):
        label = str(Registration.RegKind(row["registration__reg_kind"]).label)
        if transfer := row["registration__transfer_kind"]:
            label += f"（{Registration.TransferKind(transfer).label}）"
        by_kind.append((label, row["n"]))
    done = applications.filter(status=Matter.Status.DONE)
    orders = work_orders(scope).filter(received).order_by()
    closed = orders.filter(status=Matter.Status.DONE)
    on_time = closed.filter(Q(limit_on__isnull=True) | Q(closed_at__isnull=True)
                            | Q(closed_at__date__lte=F("limit_on"))).count()
    callbacks = [visits for visits in orders.values_list("work_order__visits", flat=True) if visits]
    satisfied = sum(1 for visits in callbacks if visits[-1]["satisfaction"] != "dissatisfied")
    return ServiceFigures(
        sum(n for _label, n in by_kind), sorted(by_kind, key=lambda kv: (-kv[1], kv[0])), done.count(),
        done.filter(target_on__isnull=False, closed_at__date__lte=F("target_on")).count(),
        consultation_figures(scope, start, end), orders.count(), closed.count(), on_time, satisfied, len(callbacks),
        petition_board(scope, start, end, today))


def homestead_rights(scope: RegionScope) -> QuerySet[HomesteadRight]:
    return scope.filter(HomesteadRight.objects.select_related("person", "region"), "region_code")


def homestead_applications(scope: RegionScope) -> QuerySet[Matter]:
    return matters(scope).filter(kind=Matter.Kind.HOMESTEAD).select_related("homestead", "homestead__right")


def get_homestead(scope: RegionScope, pk: int) -> Matter:
    return one_or_404(homestead_applications(scope), pk=pk)
