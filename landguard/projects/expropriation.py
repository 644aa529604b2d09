"""The 土地征收 (land expropriation) procedure as data: the built-in chain migration 0008 seeds as a national
template and `services.install_expropriation_template` copies for a region with its province's values.

Sources (docs domain-land.md §A.2): 土地管理法 第47条; 土地管理法实施条例 第26–32条; 浙江省土地管理条例 (2021)
第45–47条. The minimum periods are the law's; the time limits (办理时限) are working assumptions each bureau sets
on its own copy, except 征收土地公告's 15 working days from the approval (实施条例 第31条).

Step keys (环节标识) are stable: other apps find a project's step by them (`services.complete_step_by_key`),
so a key is never renamed; a new step gets a new key.
"""

from __future__ import annotations

from typing import Any

PRE_NOTICE = "pre_notice"  # 征收土地预公告
SURVEY = "survey"  # 土地现状调查
RISK_ASSESSMENT = "risk_assessment"  # 社会稳定风险评估
PLAN_NOTICE = "plan_notice"  # 征地补偿安置方案公告
HEARING = "hearing"  # 听证
REGISTRATION = "registration"  # 补偿登记
AGREEMENT = "agreement"  # 签订征地补偿安置协议
APPLICATION = "application"  # 组卷报批
APPROVAL = "approval"  # 批准
EXPROPRIATION_NOTICE = "expropriation_notice"  # 征收土地公告

TEMPLATE_KEY = "land_expropriation"  # ProcedureTemplate.key of the built-in template and its regional copies
TEMPLATE_NAME = "土地征收流程"
HEARING_RULE = ("过半数被征地的农村集体经济组织成员认为征地补偿安置方案不符合法律、法规规定的，应当组织听证"
                "（实施条例第28条）")

# One dict per step: order, key, name, responsible unit, limit (days, unit, counted from), minimum period
# (days, unit), predecessors (orders), the condition of a conditional step, counts for targets.
CHAIN: list[dict[str, Any]] = [
    {"order": 1, "key": PRE_NOTICE, "name": "征收土地预公告", "responsible_unit": "县级人民政府",
     "limit_days": 15, "limit_unit": "working", "min_period": 10, "min_period_unit": "working"},  # 第26条
    {"order": 2, "key": SURVEY, "name": "土地现状调查", "responsible_unit": "自然资源主管部门",
     "limit_days": 20, "limit_unit": "working", "depends_on": (1,)},
    {"order": 3, "key": RISK_ASSESSMENT, "name": "社会稳定风险评估", "responsible_unit": "县级人民政府",
     "limit_days": 20, "limit_unit": "working", "depends_on": (1,)},
    # 第47条 and 第28条: at least 30 days (calendar).
    {"order": 4, "key": PLAN_NOTICE, "name": "征地补偿安置方案公告", "responsible_unit": "县级人民政府",
     "limit_days": 40, "limit_unit": "calendar", "min_period": 30, "min_period_unit": "calendar",
     "depends_on": (2, 3)},
    {"order": 5, "key": HEARING, "name": "听证", "responsible_unit": "县级人民政府",
     "limit_days": 20, "limit_unit": "working", "depends_on": (4,), "applies_when": HEARING_RULE},
    {"order": 6, "key": REGISTRATION, "name": "补偿登记", "responsible_unit": "自然资源主管部门",
     "limit_days": 15, "limit_unit": "working", "depends_on": (5,)},
    {"order": 7, "key": AGREEMENT, "name": "签订征地补偿安置协议", "responsible_unit": "县级人民政府",
     "limit_days": 30, "limit_unit": "working", "depends_on": (6,)},  # 第29条
    {"order": 8, "key": APPLICATION, "name": "组卷报批", "responsible_unit": "自然资源主管部门",
     "limit_days": 20, "limit_unit": "working", "depends_on": (7,)},  # 第30条
    {"order": 9, "key": APPROVAL, "name": "批准", "responsible_unit": "省级人民政府或国务院",
     "limit_days": 60, "limit_unit": "working", "depends_on": (8,), "counts_for_targets": True},
    # 第31条: within 15 working days of receiving the approval, however late the step is opened.
    {"order": 10, "key": EXPROPRIATION_NOTICE, "name": "征收土地公告", "responsible_unit": "县级人民政府",
     "limit_days": 15, "limit_unit": "working", "limit_from": "predecessors", "depends_on": (9,)},
]

# Per province (the first two digits of its code): a label and the values that differ, by step key.
PROVINCE_RULES: dict[str, dict[str, Any]] = {
    # 浙江省土地管理条例 (2021) 第45–47条: the 征收土地公告 stays posted at least 10 working days. Issued within the
    # 15 working days of 第31条 and then posted 10, it closes at the latest 25 working days after the approval.
    # (The 60 日 for paying the compensation in full after the 公告 is not modelled as a step.)
    "33": {"label": "浙江省", "steps": {
        EXPROPRIATION_NOTICE: {"min_period": 10, "min_period_unit": "working", "limit_days": 25}}},
}

DESCRIPTION = ("征收土地预公告（不少于10个工作日）→ 土地现状调查、社会稳定风险评估（并行）→ 征地补偿安置方案公告"
               "（不少于30日）→ 听证（过半数成员有异议时）→ 补偿登记 → 签订协议 → 组卷报批 → 批准 → 征收土地公告"
               "（收到批准文件之日起15个工作日内）。依据：土地管理法第47条、实施条例第26–32条；办理时限除第31条外为"
               "默认值，请按本地规定调整。")


def chain(province: str = "") -> list[dict[str, Any]]:
    """The chain's steps with a province's values applied (`province`: two digits, e.g. "33"; "" national)."""
    overrides = PROVINCE_RULES.get(province, {}).get("steps", {})
    return [{**step, **overrides.get(step["key"], {})} for step in CHAIN]


def template_name(province: str = "") -> str:
    label = PROVINCE_RULES.get(province, {}).get("label")
    return f"{TEMPLATE_NAME}（{label}）" if label else TEMPLATE_NAME
