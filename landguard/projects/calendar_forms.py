"""The forms of a calendar year: entering a year from the State Council notice, and marking it checked."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from landguard.projects.forms import DateInput, _style
from landguard.projects.models import CalendarDay

KIND_WORDS = {"放假": CalendarDay.Kind.HOLIDAY.value, "上班": CalendarDay.Kind.WORKDAY.value,
              "holiday": CalendarDay.Kind.HOLIDAY.value, "workday": CalendarDay.Kind.WORKDAY.value}
# "2027-01-01 至 2027-01-03 放假 元旦" or "2027-02-07 上班 春节调休上班": one block of the notice a line.
_DATE = r"(\d{4}-\d{1,2}-\d{1,2})"
LINE = re.compile(rf"^\s*{_DATE}(?:\s*(?:至|~|–|-{{1,2}}|to)\s*{_DATE})?\s+(\S+)\s+(.+?)\s*$")


def parse_days(text: str) -> list[tuple[dt.date, str, str]]:
    """(date, kind, name) for every day of the blocks listed one a line; ValidationError names the bad line."""
    days: list[tuple[dt.date, str, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = LINE.match(line)
        try:
            first = dt.date.fromisoformat(_iso(match.group(1))) if match else None
            last = dt.date.fromisoformat(_iso(match.group(2))) if match and match.group(2) else first
        except ValueError:
            first = last = None
        kind = KIND_WORDS.get(match.group(3)) if match else None
        if first is None or last is None or kind is None or last < first or (last - first).days > 15:
            raise ValidationError(_("第 %(n)s 行无法识别：%(line)s") % {"n": number, "line": line.strip()[:60]})
        day = first
        while day <= last:
            days.append((day, kind, match.group(4)[:40]))  # type: ignore[union-attr]
            day += dt.timedelta(days=1)
    if len({d for d, _k, _n in days}) != len(days):
        raise ValidationError(_("同一日期出现了两次"))
    return days


def _iso(text: str) -> str:
    year, month, day = text.split("-")
    return f"{year}-{int(month):02d}-{int(day):02d}"


class CalendarYearForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    source_title = forms.CharField(label=_("依据通知"), max_length=200,
                                   help_text=_("如：国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔…〕…号）"))
    source_date = forms.DateField(label=_("通知日期"), widget=DateInput())
    days = forms.CharField(label=_("放假和调休上班日期"), widget=forms.Textarea(attrs={"rows": 12}),
                           help_text=_("按通知逐项填写，每行一项：起始日期 至 结束日期 放假/上班 名称，"
                                       "如“2027-01-01 至 2027-01-03 放假 元旦”“2027-01-04 上班 元旦调休上班”"))
    verified = forms.BooleanField(label=_("已与通知原文逐日核对"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)

    def clean_days(self) -> list[tuple[dt.date, str, str]]:
        return parse_days(self.cleaned_data["days"])


class VerifyYearForm(forms.Form):
    source_title = forms.CharField(label=_("依据通知"), max_length=200)
    source_date = forms.DateField(label=_("通知日期"), widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)
