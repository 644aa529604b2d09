"""Farmland protection supervision (田长制 + 铁塔视频 + 卫片执法): from a detection to a closed case.

    Detection ─┐ (fused by place and time)
    Detection ─┴→ Clue ──triage──→ Task ──(三个一 deadlines, field check-in, photos, outcome)──→ closed
                   │                 └→ four recipients, inbox + channel deliveries, escalations
                   └──→ Case (立案 … 结案, 90-day clock)
    PatchBatch → Patch (卫片图斑, judged 合法/违法/其他) → Clue

Every record carries `region_code` (the village, else the township, else the county it lies in) — the
scope key selectors filter on — and `township_code` for per-township statistics. Status histories
(TaskEvent, CaseEvent) are appended by the services and never edited.

One module per aggregate (clues, tasks, channels, patches, cases); the rest of the code imports them from here.
"""

from landguard.supervision.models.clues import (
    SourceKind,
    Severity,
    AlarmSource,
    Camera,
    Clue,
    ClueEvent,
    Detection,
    Patrol,
)
from landguard.supervision.models.tasks import (
    ClockStart,
    DeadlinePolicy,
    Task,
    TaskEvent,
    Recipient,
    Deadline,
    Escalation,
    FieldSubmission,
    Photo,
)
from landguard.supervision.models.channels import Channel, Delivery
from landguard.supervision.models.patches import (
    JUDGEMENT_REASONS,
    Judgement,
    OfficialFarmlandFigure,
    Patch,
    PatchBatch,
)
from landguard.supervision.models.cases import Case, CaseEvent, CasePause
from landguard.supervision.models.batches import ProvinceBatchCounty, ProvinceBatchPatch

__all__ = [
    "SourceKind",
    "Severity",
    "AlarmSource",
    "Camera",
    "Clue",
    "ClueEvent",
    "Detection",
    "Patrol",
    "ClockStart",
    "DeadlinePolicy",
    "Task",
    "TaskEvent",
    "Recipient",
    "Deadline",
    "FieldSubmission",
    "Escalation",
    "Photo",
    "Channel",
    "Delivery",
    "JUDGEMENT_REASONS",
    "Judgement",
    "PatchBatch",
    "Patch",
    "OfficialFarmlandFigure",
    "Case",
    "CaseEvent",
    "CasePause",
    "ProvinceBatchCounty",
    "ProvinceBatchPatch",
]
