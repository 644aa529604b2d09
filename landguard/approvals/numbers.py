"""Approval document numbers (批复文号) as bureaus write them: 鲁政土字〔2021〕123号, 鄂政土批[2023]45号,
聊政土（2021）8号. Stored as the text printed on the approval, plus the parts parsed from it (机关代字, 年, 序号) so
ledgers sort and count by year. The brackets vary (〔〕 is the standard GB/T 9704 form; [] () and their full-width
forms are common in spreadsheets), so all are accepted; text that does not parse is kept and flagged, not refused:
an approval's number is what the approval says."""

from __future__ import annotations

import re
from dataclasses import dataclass

_PATTERN = re.compile(r"^\s*(?P<abbr>\S.*?)\s*[〔\[［(（【]\s*(?P<year>(19|20)\d{2})\s*[〕\]］)）】]\s*第?\s*(?P<seq>"
                       r"\d{1,6})\s*号\s*$")


@dataclass(frozen=True)
class DocumentNumber:
    issuer: str  # 机关代字, e.g. 鲁政土字
    year: int
    sequence: int

    def __str__(self) -> str:
        return f"{self.issuer}〔{self.year}〕{self.sequence}号"


def parse_document_number(text: str) -> DocumentNumber | None:
    """The parts of a 文号, or None when the text is not in the 代字〔年〕序号号 form."""
    match = _PATTERN.match(text or "")
    if match is None:
        return None
    return DocumentNumber(match["abbr"], int(match["year"]), int(match["seq"]))
