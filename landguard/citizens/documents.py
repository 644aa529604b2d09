"""What a registration needs and what can be fetched instead of demanded (不动产登记暂行条例 第24、25条: what can
be obtained through data sharing may not be demanded from the applicant — the basis of 一证办证), and the
不动产单元号 check.

The list of required materials per 登记类型 is inferred from practice (domain-land.md §C.1, I) and marked 待确认;
a deployment overrides it with CITIZENS_REQUIRED_DOCUMENTS ({kind or "transfer:<transfer kind>": [[document, whom]]}).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Documents a provider can answer (domain-land.md §C.1, the gtmap 省级共享 interfaces), by what they are keyed on.
DOCUMENTS: dict[str, tuple[Any, str]] = {  # (label, keyed on)
    # key: (label, keyed on: "person" | "contract" | "unit")
    "identity": (gettext_lazy("身份证明（身份核查）"), "person"),
    "household": (gettext_lazy("户籍信息"), "person"),
    "marriage": (gettext_lazy("婚姻登记信息"), "person"),
    "judgment": (gettext_lazy("司法判决信息"), "unit"),
    "death": (gettext_lazy("死亡医学证明"), "person"),
    "tax": (gettext_lazy("完税信息"), "contract"),
    "contract_filing": (gettext_lazy("网签合同备案"), "contract"),
    "seizure": (gettext_lazy("查封信息"), "unit"),
}
# Who a person-keyed document is about: every holder (buyer), every obligor (seller), or both.
HOLDERS, OBLIGORS, ALL = "holders", "obligors", "all"

# 待确认: inferred from the 冠县/临海 一证办证 practice.
DEFAULT_REQUIRED: dict[str, list[tuple[str, str]]] = {
    "transfer:new_home": [("identity", HOLDERS), ("household", HOLDERS), ("marriage", HOLDERS),
                          ("contract_filing", ""), ("tax", ""), ("seizure", "")],
    "transfer:resale": [("identity", ALL), ("household", HOLDERS), ("marriage", ALL), ("contract_filing", ""),
                        ("tax", ""), ("seizure", "")],
    "first": [("identity", HOLDERS)],
    "change": [("identity", HOLDERS)],
    "mortgage": [("identity", ALL), ("seizure", "")],
    "cancel": [("identity", HOLDERS)],
    "correction": [("identity", HOLDERS)],
    "objection": [("identity", HOLDERS)],
    "advance": [("identity", ALL), ("contract_filing", "")],
    "seizure": [("judgment", "")],
}


def document_label(key: str) -> str:
    return str(DOCUMENTS[key][0]) if key in DOCUMENTS else key


def keyed_on(key: str) -> str:
    return DOCUMENTS[key][1]


def required_for(reg_kind: str, transfer_kind: str = "") -> list[tuple[str, str]]:
    table = getattr(settings, "CITIZENS_REQUIRED_DOCUMENTS", DEFAULT_REQUIRED)
    key = f"{reg_kind}:{transfer_kind}" if reg_kind == "transfer" else reg_kind
    return [tuple(item) for item in table.get(key, [])]  # type: ignore[misc]


@dataclass(frozen=True)
class Need:
    """One material a registration needs: the document and, for a person-keyed one, whose (the party's person id)."""

    document: str
    person_id: int | None
    person_label: str = ""

    @property
    def label(self) -> str:
        return f"{document_label(self.document)}（{self.person_label}）" if self.person_label else document_label(
            self.document)

    @property
    def key(self) -> str:
        return f"{self.document}:{self.person_id or ''}"


_UNIT_CHARS = re.compile(r"^[0-9A-Z]{28}$")
# 6 区划 + 3 地籍区 + 3 地籍子区 + 2-letter 特征码 + 5 digits + F/L/Q/W + 8 digits (GB/T 37346-2019; I).
_UNIT_STRUCTURE = re.compile(r"^\d{6}\d{3}\d{3}[A-Z]{2}\d{5}[FLQW]\d{8}$")


def check_unit_no(raw: str) -> tuple[str, list[str]]:
    """The 不动产单元号 upper-cased, and warnings about its finer structure (待确认). ValidationError when it is not 28
    letters and digits."""
    text = "".join((raw or "").split()).upper()
    if len(text) != 28:
        raise ValidationError(_("不动产单元号应为28位，现为%(n)s位。") % {"n": len(text)}, code="unit_length")
    if not _UNIT_CHARS.match(text):
        raise ValidationError(_("不动产单元号只能包含数字和大写字母。"), code="unit_chars")
    warnings = []
    if not _UNIT_STRUCTURE.match(text):
        warnings.append(_("单元号结构与 GB/T 37346-2019 不符（6位区划+6位地籍区/子区+2位特征码+5位宗地号+"
                          "F/L/Q/W+8位定着物号），请核对（结构规则待确认）。"))
    return text, warnings
