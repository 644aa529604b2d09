"""One quota ledger per place for the access walk (tests/access_walk.py): the ledger of the township's county
(ledgers are kept at county level), with an allocation and a reservation whose batch is named after the
township, so a page that leaked another county's rows would show it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from landguard.quotas import services
from landguard.quotas.models import Kind, Source
from landguard.regions.models import Region

WALK_YEAR = 2032


def quota_objects(township: Region) -> dict[str, Any]:
    county = township.parent
    assert county is not None
    allocation = services.allocate(actor=None, region=county, year=WALK_YEAR, kind=Kind.PLAN, amount="100",
                                   source=Source.ISSUED, document_no=f"{county.name}示例文号（演示）",
                                   effective_on=dt.date(WALK_YEAR, 1, 1))
    services.reserve(actor=None, region=county, year=WALK_YEAR, kind=Kind.PLAN, amount="10",
                     holder=f"walk.batch:{township.code}", holder_label=f"{township.name}示例批次（演示）")
    return {"quota_account": allocation.account, "quota_entry": allocation}
