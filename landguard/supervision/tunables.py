"""The tunable rules of farmland supervision, each with the value bureaus report using.

Every value can be overridden by a Django setting of the same name (SUPERVISION_…), read at call time so a
deployment — or a test with override_settings — changes it without touching code. The 三个一 durations can
also be set per clue source and severity in the database (DeadlinePolicy rows); these are the fallback.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # Fusion: a detection within this distance of an open clue's position, seen within this window after
    # the clue's last detection, joins that clue instead of opening a new one.
    "SUPERVISION_FUSION_DISTANCE_M": 300.0,
    "SUPERVISION_FUSION_WINDOW_MINUTES": 6 * 60,
    # A 卫片 patch joins an open camera clue whose target lies on it or this close to its edge (no window).
    "SUPERVISION_PATCH_FUSION_M": 30.0,
    # Camera alarms: the image limit (decoded bytes) and the whole request's limit (base64 grows by 4/3).
    "SUPERVISION_ALARM_IMAGE_MAX_BYTES": 5 * 1024 * 1024,
    "SUPERVISION_ALARM_BODY_MAX_BYTES": 8 * 1024 * 1024,
    # Camera alarms: an event time further ahead than this (a device clock set wrong) or older than this (too
    # late to act on) is refused with 422 naming `time`.
    "SUPERVISION_ALARM_MAX_AHEAD_MINUTES": 60,
    "SUPERVISION_ALARM_MAX_AGE_DAYS": 30,
    # 三个一 (domain.md §4: a customer requirement, not a published rule): report, on site, restored.
    "SUPERVISION_REPORT_MINUTES": 60,
    "SUPERVISION_ONSITE_MINUTES": 60,
    "SUPERVISION_RESTORE_MINUTES": 24 * 60,
    # Where the 三个一 clock starts without a rule: "dispatch" (派发) or "discovery" (the alarm); per region on a
    # DeadlinePolicy row (clock_start).
    "SUPERVISION_CLOCK_START": "dispatch",
    # A clue is enriched over a disc of this radius around its point (a camera places a target to ~tens of m).
    "SUPERVISION_ENRICH_RADIUS_M": 30.0,
    # 卫片执法: the local accountability line per township, the national one per county (15号令), and how
    # close to the line a township is warned (0.8 → from 80 % of the threshold).
    "SUPERVISION_RATIO_LOCAL": 0.08,
    "SUPERVISION_RATIO_NATIONAL": 0.15,
    "SUPERVISION_RATIO_WARNING_SHARE": 0.8,
    # Whether a threshold is reached at the line (达到, ≥: 15号令's 15 %) or only above it (超过, >: 临海's 8 %).
    "SUPERVISION_RATIO_LOCAL_STRICT": True,
    "SUPERVISION_RATIO_NATIONAL_STRICT": False,
    # Two-stage triage: staff pre-judge (初判), only the office head (所长: a leader or admin) decides.
    "SUPERVISION_TWO_STAGE_TRIAGE": False,
    # The enforcement rate definitions the figures use unless the page names others (landguard.supervision.figures).
    "SUPERVISION_FILING_RATE": "filed_over_illegal",
    "SUPERVISION_HANDLING_RATE": "handled_over_illegal",
    # Patrol frequency: dynamic patrols per township office a month; a village chief patrols every week.
    "SUPERVISION_OFFICE_PATROLS_PER_MONTH": 8,
    "SUPERVISION_VILLAGE_PATROLS_PER_WEEK": 1,
    # Enforcement cases: decide within 90 days of 立案 (行政处罚法 第60条); 陈述申辩 / 听证 windows 5 days.
    "SUPERVISION_CASE_DAYS": 90,
    "SUPERVISION_NOTICE_DAYS": 5,
    # Notification deliveries: attempts and the pause before each retry (doubling).
    "SUPERVISION_DELIVERY_ATTEMPTS": 5,
    "SUPERVISION_DELIVERY_RETRY_SECONDS": 60,
    "SUPERVISION_DELIVERY_TIMEOUT_SECONDS": 10,
    # The public report form: submissions per client address per hour.
    "SUPERVISION_PUBLIC_REPORTS_PER_HOUR": 5,
    # A GPS check-in counts only this close to the clue (a check-in from the office proves nothing).
    "SUPERVISION_CHECKIN_MAX_M": 500.0,
    # Chunked photo uploads: the largest photo accepted.
    "SUPERVISION_PHOTO_MAX_BYTES": 20 * 1024 * 1024,
}


def get(name: str) -> Any:
    return getattr(settings, name, DEFAULTS[name])


def minutes(name: str) -> dt.timedelta:
    return dt.timedelta(minutes=float(get(name)))
