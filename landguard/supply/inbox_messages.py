"""Land supply's messages in the inbox (landguard.inbox), about a 两清 item (supply.twoclearitem): an item the
contract-date sweep raised. Registered at start-up (SupplyConfig.ready); rendered in each reader's language (the
item's kind is stored as its code and shown as its label)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from landguard.inbox.registry import Link, MessageType, register
from landguard.supply.models import ItemKind


def _item(values: dict[str, Any], subject_id: int | None) -> list[Link]:
    return [Link("", reverse("supply:item", args=[subject_id]))] if subject_id is not None else []


def _display(values: dict[str, Any]) -> dict[str, Any]:
    kind = values.get("kind", "")
    extra = ""
    if values.get("fee"):
        extra = _("拟征闲置费 %(fee)s 万元。") % {"fee": values["fee"]}
    elif values.get("owed"):
        extra = _("未缴 %(owed)s 万元。") % {"owed": values["owed"]}
    return {"kind": ItemKind(kind).label if kind in ItemKind.values else kind, "extra": extra}


ITEM_RAISED = register(MessageType(
    code="supply.item_raised", kind="alert", title=gettext_lazy("两清事项：%(parcel)s %(kind)s"),
    body=gettext_lazy("宗地 %(parcel)s（%(user)s，%(mu)s 亩）%(kind)s，到期日 %(due)s。"
                      "%(extra)s请在两清台账中认定原因并处置。"),
    display=_display, links=_item))
