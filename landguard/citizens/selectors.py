"""Reads of citizen matters, each taking the viewer's RegionScope (applied here and only here)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from landguard.citizens import documents
from landguard.citizens.models import DataRequest, Matter, MatterStatusChange, Party, Person
from landguard.core.scope import RegionScope, one_or_404


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
