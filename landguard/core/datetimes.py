"""Date-times that every supported database can store. Python accepts any UTC offset under 24 hours; real
time zones lie between UTC−12:00 and UTC+14:00, and PostgreSQL refuses displacements beyond ±15:59 ("time
zone displacement out of range", a DataError — a 500 if it reaches the database). Input fields check here, so
a bad value is a 400 naming the field on SpatiaLite and PostGIS alike."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

EARLIEST_OFFSET, LATEST_OFFSET = dt.timedelta(hours=-12), dt.timedelta(hours=14)


def check_storable(value: dt.datetime) -> dt.datetime:
    """`value` unchanged, or ValidationError when its offset is no real time zone or its instant does not
    exist in UTC (a time near year 1 or 9999 shifted by its offset)."""
    offset = value.utcoffset()
    if offset is not None and not EARLIEST_OFFSET <= offset <= LATEST_OFFSET:
        raise ValidationError(_("时区偏移应在 -12:00 到 +14:00 之间。"), code="offset")
    try:
        value.astimezone(dt.timezone.utc)
    except OverflowError:
        raise ValidationError(_("时间超出可表示的范围。"), code="range") from None
    return value


class StorableDateTimeField(forms.DateTimeField):
    """forms.DateTimeField (ISO 8601 with or without offset) limited to what the database can store."""

    def to_python(self, value: Any) -> dt.datetime | None:
        parsed = super().to_python(value)
        return None if parsed is None else check_storable(parsed)
