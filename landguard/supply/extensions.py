"""What the supply app plugs into the shell at start-up (imported in SupplyConfig.ready): the county's 供地率 for
the 成片开发 gate (shell.supply_rate)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from landguard.shell import supply_rate
from landguard.supply import rates

PROVIDER = supply_rate.register(supply_rate.SupplyRateProvider("supply.rate", gettext_lazy("供地台账"),
                                                               rates.rate_for_region_code, order=10))
