"""Synthetic ID numbers with a correct GB 11643 check digit, for tests, the demo and the access walk."""

from __future__ import annotations

from landguard.citizens.idnumbers import check_char


def make_id(region6: str = "371525", born: str = "19800101", seq: int = 1) -> str:
    first17 = f"{region6}{born}{seq:03d}"
    return first17 + check_char(first17)
