"""Registration applications in the REST API, read through the selectors with the caller's scope. ID numbers appear
only masked; the full number is never served by the API (the page's audited POST is the one way to it).

    GET /api/citizens/registrations/        list (filters: status, reg_kind)
    GET /api/citizens/registrations/{id}/   one application: parties, materials and where each stands, look-ups
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import mixins, serializers, viewsets

from landguard.citizens import selectors
from landguard.citizens.models import DataRequest, Matter, Party, Registration
from landguard.shell.api import ScopedViewSetMixin


class RegistrationSerializer(serializers.ModelSerializer):
    reg_kind = serializers.ChoiceField(source="registration.reg_kind", choices=Registration.RegKind.choices)
    transfer_kind = serializers.ChoiceField(source="registration.transfer_kind", allow_blank=True,
                                            choices=Registration.TransferKind.choices)
    unit_no = serializers.CharField(source="registration.unit_no")
    applicant = serializers.SerializerMethodField()

    class Meta:
        model = Matter
        fields = ["id", "title", "reg_kind", "transfer_kind", "unit_no", "status", "channel", "region_code",
                  "applicant", "received_at", "accepted_on", "target_on", "limit_on", "closed_at"]

    def get_applicant(self, obj: Matter) -> str:
        return str(obj.applicant) if obj.applicant else ""


class PartySerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="person.name")
    id_masked = serializers.CharField(source="person.id_masked")

    class Meta:
        model = Party
        fields = ["role", "name", "id_masked"]


class LookupSerializer(serializers.ModelSerializer):
    subject = serializers.SerializerMethodField()

    class Meta:
        model = DataRequest
        fields = ["document", "provider", "purpose", "subject", "reference", "consent", "status", "matched",
                  "result_hash", "requested_at", "answered_at"]

    def get_subject(self, obj: DataRequest) -> str:
        return obj.subject.id_masked if obj.subject is not None else ""


class MaterialSerializer(serializers.Serializer):
    document = serializers.CharField(source="need.document")
    label = serializers.CharField(source="need.label")
    state = serializers.ChoiceField(choices=["brought", "fetched", "pending", "refused", "missing"])


class RegistrationDetailSerializer(RegistrationSerializer):
    parties = serializers.SerializerMethodField()
    materials = serializers.SerializerMethodField()
    lookups = serializers.SerializerMethodField()
    notice = serializers.ListField(source="registration.notice", child=serializers.CharField())

    class Meta(RegistrationSerializer.Meta):
        fields = [*RegistrationSerializer.Meta.fields, "notice", "parties", "materials", "lookups"]

    def get_parties(self, obj: Matter) -> Any:
        return PartySerializer(selectors.parties(obj), many=True).data

    def get_materials(self, obj: Matter) -> Any:
        return MaterialSerializer(selectors.needs(obj), many=True).data

    def get_lookups(self, obj: Matter) -> Any:
        return LookupSerializer(selectors.data_requests(obj), many=True).data


class RegistrationViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                          viewsets.GenericViewSet):
    def get_serializer_class(self) -> type[serializers.Serializer]:
        return RegistrationSerializer if self.action == "list" else RegistrationDetailSerializer

    def get_queryset(self) -> QuerySet:
        qs = selectors.registrations(self.scope)
        params = self.request.query_params
        if params.get("status"):
            qs = qs.filter(status=params["status"])
        if params.get("reg_kind"):
            qs = qs.filter(registration__reg_kind=params["reg_kind"])
        return qs.order_by("-received_at", "-id")
