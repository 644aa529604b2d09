"""The configurable rules of land supply (供地台账, 两清, 供地率), in one place, each with its default, whether the
default is confirmed, and its basis (domain-land.md §B).

Every value can be overridden by a Django setting of the same name (SUPPLY_…), read at call time, so a deployment —
or a test with override_settings — changes it without touching code. The pages print the value in force beside the
figure and mark the unconfirmed ones 待确认.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from landguard.core.tunables import Catalog, Tunable


CATALOG = Catalog((
    # 城镇国有土地使用权出让和转让暂行条例 第12条 (C): maximum terms by use, in years.
    Tunable("SUPPLY_TERM_CAPS", {"residential": 70, "industrial": 50, "public": 50, "commercial": 40, "mixed": 50},
            True, _("《城镇国有土地使用权出让和转让暂行条例》第十二条：居住70年，工业50年，教科文卫体50年，"
                    "商业旅游娱乐40年，综合或其他50年")),
    # 同条例 第14条 (C): the whole price within 60 days of the contract when no instalments are agreed.
    Tunable("SUPPLY_FULL_PAYMENT_DAYS", 60, True, _("《城镇国有土地使用权出让和转让暂行条例》第十四条：签订合同后"
                                                    "60日内支付全部出让金")),
    # Instalments: first ≥ 50 %, the rest normally within 1 year (S1: one rule page; the document number is I).
    Tunable("SUPPLY_FIRST_INSTALMENT_MIN_PERCENT", Decimal(50), False,
            _("分期缴纳的，首次缴纳比例不得低于全部出让价款的50%（财综〔2009〕74号，文号待确认）")),
    Tunable("SUPPLY_INSTALMENT_PERIOD_MONTHS", 12, False, _("分期缴纳的余款一般在一年内缴清（特殊项目可至两年）")),
    # 城市房地产管理法 第26条 (C): 1 full year → 闲置费 up to 20 %; 2 full years → 无偿收回.
    Tunable("SUPPLY_IDLE_FEE_PERCENT", Decimal(20), True, _("《城市房地产管理法》第二十六条：满一年未动工开发的，"
                                                            "可以征收相当于出让金20%以下的土地闲置费")),
    Tunable("SUPPLY_IDLE_YEARS", 1, True, _("《城市房地产管理法》第二十六条：超过约定动工开发日期满一年")),
    Tunable("SUPPLY_RECOVER_YEARS", 2, True, _("《城市房地产管理法》第二十六条：满二年未动工开发的，可以无偿收回")),
    # The sweep's own margins and reminders: local practice, inferred.
    Tunable("SUPPLY_DELIVERY_GRACE_DAYS", 0, False, _("超过约定交地日期即列为交地逾期（宽限天数为本地做法）")),
    Tunable("SUPPLY_COMPLETION_GRACE_DAYS", 0, False, _("超过约定竣工日期即列为竣工逾期（宽限天数为本地做法）")),
    Tunable("SUPPLY_INSTALMENT_REMIND_DAYS", 30, False, _("分期价款应缴日前30日列入应缴提醒（本地做法）")),
    Tunable("SUPPLY_ARREARS_GRACE_DAYS", 0, False, _("超过应缴日未缴足即列为欠缴（清欠）")),
    # 闲置土地处置办法 (国土资源部令第53号) procedure: the figures are from memory (domain-land.md §B.2, I).
    Tunable("SUPPLY_STATEMENT_DAYS", 30, False, _("53号令：调查通知书送达后，土地使用者在30日内提供说明（待核实）")),
    Tunable("SUPPLY_DETERMINATION_DAYS", 30, False, _("陈述期满后作出闲置土地认定书的期限（本地做法）")),
    Tunable("SUPPLY_DECISION_DAYS", 30, False, _("认定书作出后作出处置决定书的期限（本地做法）")),
    # 供地率 (ministry practice, I): approvals of the last five years, years N−5 … N−1 assessed in year N.
    Tunable("SUPPLY_RATE_WINDOW_YEARS", 5, False, _("供地率按近五年批准的用地计算（部考核口径，待取得本省公式）")),
    Tunable("SUPPLY_RATE_INCLUDE_CURRENT_YEAR", False, False, _("当年批准的用地不计入（N−5 至 N−1 年）")),
    Tunable("SUPPLY_RATE_EXCLUDE_RECENT_MONTHS", 0, False, _("省级口径：批准不足若干个月的用地不计入（0 表示不扣除）")),
    # 增存挂钩 (自然资规〔2018〕1号, I): remainders this old are the year's disposal tasks.
    Tunable("SUPPLY_TASK_MIN_AGE_YEARS", 2, False, _("增存挂钩：批而未供满两年的列入年度处置任务（待确认）")),
))
TUNABLES = CATALOG.by_name
get = CATALOG.value



def percent(name: str) -> Decimal:
    return Decimal(str(get(name)))


def term_cap(use: str) -> int | None:
    return get("SUPPLY_TERM_CAPS").get(use)


rows = CATALOG.rows
