"""One registration application, one 12345 work order, one 信访 case and one 宅基地 application per place for the
access walk (tests/access_walk.py): filed under the township, named after it, so a page that leaked another county's
matter would show the name."""

from __future__ import annotations

import datetime as dt
import zlib
from decimal import Decimal
from typing import Any

from citizens.helpers import make_id
from landguard.citizens import homestead, hotline, petitions, services
from landguard.citizens.models import Registration
from landguard.people.models import OrgUnit
from landguard.regions.models import Region


def citizen_objects(township: Region) -> dict[str, Any]:
    seq = zlib.crc32(township.code.encode()) % 900 + 1  # one person per place
    matter = services.create_registration(
        actor=None, region=township, reg_kind=Registration.RegKind.TRANSFER,
        transfer_kind=Registration.TransferKind.RESALE, unit_no=f"{township.code[:6]}001001GB00001F0001{seq:04d}",
        contract_no=f"WALK-{township.code}", holders=[(make_id(township.code[:6], seq=seq), f"{township.name}申请人")],
        obligors=[(make_id(township.code[:6], born="19700101", seq=seq), f"{township.name}出卖人")])
    unit = OrgUnit.objects.filter(region__code__startswith=township.code[:6]).order_by("pk").first()
    order = hotline.receive_order(actor=None, region=township, order_no=f"12345-WALK-{township.code}",
                                  topic="other", summary=f"{township.name}热线诉求", lead_unit=unit)
    petition = petitions.register_petition(actor=None, region=township, petition_no=f"XF-WALK-{township.code}",
                                           pclass="claim", summary=f"{township.name}征地补偿信访",
                                           parcel_ref=f"{township.code}-地块")
    village = township.children.filter(retired_in__isnull=True).order_by("code").first() or township
    number = make_id(township.code[:6], born="19900101", seq=int(township.code[6:9] or 0) % 1000)  # unique per county
    right = homestead.recognise_right(actor=None, region=village, id_number=number,
                                      name=f"{township.name}资格权人", collective=f"{village.name}股份经济合作社",
                                      household=f"{township.name}户", recognised_on=dt.date(2025, 1, 1),
                                      area_m2=Decimal("140"))
    application = homestead.apply(actor=None, right=right, land_type="other", area_m2=Decimal("120"),
                                  location=f"{village.name}东侧")
    return {"registration": matter, "person": matter.applicant, "work_order": order, "petition": petition,
            "homestead": application}
