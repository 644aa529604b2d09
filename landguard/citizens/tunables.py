"""The configurable rules of citizen matters (domain-land.md §C), each with its default, whether the default is
confirmed, and its basis. A Django setting of the same name (CITIZENS_…) overrides it, read at call time; pages print
the unconfirmed ones as 待确认."""

from __future__ import annotations


from django.utils.translation import gettext_lazy as _

from landguard.core.tunables import Catalog, Tunable


CATALOG = Catalog((
    # 不动产登记暂行条例 (2019) 第20条: 30 working days from acceptance; a 2024 revision exists (domain-land.md §C.1).
    Tunable("CITIZENS_REGISTRATION_LIMIT_WORKING_DAYS", 30, False,
            _("《不动产登记暂行条例》第二十条：自受理登记申请之日起30个工作日内办结（2024年修订版待核对）")),
    # Practice targets after 国办发〔2019〕8号 (I): ≤ 5 working days; 一证办证 transfers the same day (临海).
    Tunable("CITIZENS_REGISTRATION_TARGET_WORKING_DAYS", 5, False,
            _("国办发〔2019〕8号：一般登记、抵押登记压缩至5个工作日以内")),
    Tunable("CITIZENS_TRANSFER_TARGET_WORKING_DAYS", 0, False,
            _("商品房、二手房转移登记“一证办证”当日办结（临海做法）")),
    # The demo provider's asynchronous interfaces answer after this many seconds ("1分钟后再调用", §C.1).
    Tunable("CITIZENS_DEMO_ASYNC_SECONDS", 60, False, _("省级共享接口“申请—反馈”式查询，约1分钟后可取回结果")),
    # How often the poll loop asks an asynchronous provider again, and when it gives up.
    Tunable("CITIZENS_POLL_INTERVAL_SECONDS", 30, True, _("异步查询的轮询间隔（秒）")),
    Tunable("CITIZENS_POLL_GIVE_UP_HOURS", 72, False, _("异步查询超过该时长未反馈即标记失败")),
    # Which provider answers each document: {"identity": {"kind": "http", "url": ..., "timeout": 5}}; absent: demo.
    # 12345 (domain-land.md §C.3): 签收 hours are set by each city's 考核办法 (I); 办结 5 working days (潍坊 第20条).
    Tunable("CITIZENS_HOTLINE_SIGN_HOURS", 2, False, _("各市12345考核办法：工单派发后2小时内签收")),
    Tunable("CITIZENS_HOTLINE_DONE_WORKING_DAYS", 5, True,
            _("《潍坊市12345政务服务便民热线条例》第二十条：5个工作日内办结")),
    Tunable("CITIZENS_PROVIDERS", {}, False, _("各共享接口的提供方配置（未配置时使用演示提供方）")),
    # 信访工作条例 (2022) (domain-land.md §C.4): calendar days throughout.
    Tunable("CITIZENS_PETITION_NOTICE_DAYS", 15, True, _("《信访工作条例》第二十三条：15日内书面告知是否受理")),
    Tunable("CITIZENS_PETITION_HANDLING_DAYS", 60, True, _("《信访工作条例》第三十三条：自受理之日起60日内办结")),
    Tunable("CITIZENS_PETITION_EXTENSION_DAYS", 30, True,
            _("《信访工作条例》第三十三条：情况复杂的，经批准可适当延长，延长期限不得超过30日")),
    Tunable("CITIZENS_PETITION_REQUEST_DAYS", 30, True,
            _("《信访工作条例》第三十五、三十六条：收到意见书之日起30日内请求复查、复核")),
    Tunable("CITIZENS_PETITION_DECISION_DAYS", 30, True,
            _("《信访工作条例》第三十五、三十六条：收到请求之日起30日内提出复查、复核意见（听证时间不计入）")),
    # 宅基地 (domain-land.md §C.5): the province's area caps by land type (浙江 第55条 as the default; 山东's to
    # confirm) and the public-notice period before the township decides (not set by the law: a local rule).
    Tunable("CITIZENS_HOMESTEAD_AREA_CAPS", {"cultivated": 125, "other": 140, "mountain": 160}, False,
            _("《浙江省土地管理条例》第五十五条：占用耕地不超过125平方米，其他土地不超过140平方米，山区利用荒地不超过160平方米")),
    Tunable("CITIZENS_HOMESTEAD_NOTICE_DAYS", 7, False, _("宅基地申请经集体讨论后公示的天数（地方规定，待确认）")),
    # How long a closed matter keeps the personal data it was filed with, by kind (years; None: for good). 不动产登记
    # files are kept permanently (不动产登记资料管理办法), and a homestead application stays with its right.
    Tunable("CITIZENS_RETENTION_YEARS", {"consultation": 3, "work_order": 5, "petition": 10}, False,
            _("咨询、12345工单、信访事项办结后保存个人信息的年限（地方规定，待确认）；不动产登记资料永久保存")),
))
TUNABLES = CATALOG.by_name
get = CATALOG.value

