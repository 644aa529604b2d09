"""The 三调 land-class table: every DLBM code → first-level class and 三大类 (domain.md §1.2).

Codes come from GB/T 21010-2017 as refined by the 三调 工作分类 (domain.md §1.2, status C); the standard's
finer codes that 三调 merges (0501–0507, 0604, 0801–0808, 0901–0906) are read as the 三调 class that holds
them (GB_DETAIL_CODES). Two deliberate choices follow the 三调 rather than the GB/T 21010 tree:

- The eight 湿地 codes (0303, 0304, 0306, 0402, 0603, 1105, 1106, 1108) belong to first-level class
  **00 湿地**, because 三调 statistics list 湿地 as its own first-level class. Their GB/T 21010 parent
  (03 林地, 04 草地, 06 工矿用地, 11 水域) is kept in ``gb_level1_code`` for cross-walks.
- The "K" codes (0201K … 1104K, 可调整地类) are their own classes with the parent's first-level class and
  三大类. They are 耕地 *potential*, not 耕地, so ``is_farmland`` is False for them.

The 三大类 mapping is domain.md's table, which domain.md marks **status I** (recollection of GB/T 21010-2017
附录A, not checked against the standard text). It is coded as given; verify it before it is treated as
normative. Codes the domain.md 三大类 table does not list are marked "inferred" below.

Names are the official Chinese names (as written in DLMC and in reports). They are marked with
gettext_noop so makemessages collects them; ``LandClass.label`` is the translated, user-facing form.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop as N_


class BigClass(models.TextChoices):
    """三大类 (used by 农用地转用 and the 建设用地 ledgers)."""

    AGRICULTURAL = "agricultural", _("农用地")
    CONSTRUCTION = "construction", _("建设用地")
    UNUSED = "unused", _("未利用地")


AG, CO, UN = BigClass.AGRICULTURAL, BigClass.CONSTRUCTION, BigClass.UNUSED

LEVEL1_NAMES: dict[str, str] = {
    "00": N_("湿地"),
    "01": N_("耕地"),
    "02": N_("种植园用地"),
    "03": N_("林地"),
    "04": N_("草地"),
    "05": N_("商业服务业用地"),
    "06": N_("工矿用地"),
    "07": N_("住宅用地"),
    "08": N_("公共管理与公共服务用地"),
    "09": N_("特殊用地"),
    "10": N_("交通运输用地"),
    "11": N_("水域及水利设施用地"),
    "12": N_("其他土地"),
}

# (code, official name, 三调 first-level class, 三大类). The GB/T 21010 parent is the code's first two
# characters, except for "09", which is both a first- and a second-level code.
_TABLE: list[tuple[str, str, str, BigClass]] = [
    # 00 湿地 (三调 工作分类)
    ("0303", N_("红树林地"), "00", AG),
    ("0304", N_("森林沼泽"), "00", AG),
    ("0306", N_("灌丛沼泽"), "00", AG),
    ("0402", N_("沼泽草地"), "00", AG),
    ("0603", N_("盐田"), "00", CO),
    ("1105", N_("沿海滩涂"), "00", UN),
    ("1106", N_("内陆滩涂"), "00", UN),
    ("1108", N_("沼泽地"), "00", UN),
    # 01 耕地
    ("0101", N_("水田"), "01", AG),
    ("0102", N_("水浇地"), "01", AG),
    ("0103", N_("旱地"), "01", AG),
    # 02 种植园用地
    ("0201", N_("果园"), "02", AG),
    ("0202", N_("茶园"), "02", AG),
    ("0203", N_("橡胶园"), "02", AG),
    ("0204", N_("其他园地"), "02", AG),
    # 03 林地
    ("0301", N_("乔木林地"), "03", AG),
    ("0302", N_("竹林地"), "03", AG),
    ("0305", N_("灌木林地"), "03", AG),
    ("0307", N_("其他林地"), "03", AG),
    # 04 草地
    ("0401", N_("天然牧草地"), "04", AG),
    ("0403", N_("人工牧草地"), "04", AG),
    ("0404", N_("其他草地"), "04", UN),
    # 05 商业服务业用地
    ("05H1", N_("商业服务业设施用地"), "05", CO),
    ("0508", N_("物流仓储用地"), "05", CO),
    # 06 工矿用地
    ("0601", N_("工业用地"), "06", CO),
    ("0602", N_("采矿用地"), "06", CO),
    # 07 住宅用地
    ("0701", N_("城镇住宅用地"), "07", CO),
    ("0702", N_("农村宅基地"), "07", CO),
    # 08 公共管理与公共服务用地
    ("08H1", N_("机关团体新闻出版用地"), "08", CO),
    ("08H2", N_("科教文卫用地"), "08", CO),
    ("0809", N_("公用设施用地"), "08", CO),
    ("0810", N_("公园与绿地"), "08", CO),
    ("0810A", N_("广场用地"), "08", CO),  # inferred: not in domain.md's 三大类 table; follows its parent 0810
    # 09 特殊用地 (one code, no second level)
    ("09", N_("特殊用地"), "09", CO),
    # 10 交通运输用地
    ("1001", N_("铁路用地"), "10", CO),
    ("1002", N_("轨道交通用地"), "10", CO),
    ("1003", N_("公路用地"), "10", CO),
    ("1004", N_("城镇村道路用地"), "10", CO),
    ("1005", N_("交通服务场站用地"), "10", CO),
    ("1006", N_("农村道路"), "10", AG),
    ("1007", N_("机场用地"), "10", CO),
    ("1008", N_("港口码头用地"), "10", CO),
    ("1009", N_("管道运输用地"), "10", CO),
    # 11 水域及水利设施用地
    ("1101", N_("河流水面"), "11", UN),
    ("1102", N_("湖泊水面"), "11", UN),
    ("1103", N_("水库水面"), "11", AG),
    ("1104", N_("坑塘水面"), "11", AG),
    ("1104A", N_("养殖坑塘"), "11", AG),
    ("1107", N_("沟渠"), "11", AG),
    ("1107A", N_("干渠"), "11", AG),
    ("1109", N_("水工建筑用地"), "11", CO),
    ("1110", N_("冰川及永久积雪"), "11", UN),
    # 12 其他土地
    ("1201", N_("空闲地"), "12", CO),
    ("1202", N_("设施农用地"), "12", AG),
    ("1203", N_("田坎"), "12", AG),
    ("1204", N_("盐碱地"), "12", UN),
    ("1205", N_("沙地"), "12", UN),
    ("1206", N_("裸土地"), "12", UN),
    ("1207", N_("裸岩石砾地"), "12", UN),
    # "K" 可调整地类 (domain.md §1.2). Names are status I (the usual 三调 wording "可调整…").
    ("0201K", N_("可调整果园"), "02", AG),
    ("0202K", N_("可调整茶园"), "02", AG),
    ("0203K", N_("可调整橡胶园"), "02", AG),
    ("0204K", N_("可调整其他园地"), "02", AG),
    ("0301K", N_("可调整乔木林地"), "03", AG),
    ("0302K", N_("可调整竹林地"), "03", AG),
    ("0307K", N_("可调整其他林地"), "03", AG),
    ("0403K", N_("可调整人工牧草地"), "04", AG),
    ("1104K", N_("可调整养殖坑塘"), "11", AG),
]

# Change-survey markers (domain.md §1.2). They describe a change, not a land class, and have no 三大类,
# so an overlay must not silently put them anywhere: classify() rejects them with this explanation.
CHANGE_SURVEY_CODES: dict[str, str] = {
    "1301": N_("临时用地"),
    "1302": N_("光伏板区"),
    "1303": N_("推土区"),
    "1304": N_("拆除未尽区"),
}

# GB/T 21010-2017's finer second-level codes that the 三调 工作分类 merges (domain.md §1.2): a layer surveyed
# or drawn with the national standard's codes is read in the 三调 class that contains each (05H1 = 0501–0507,
# 0508 = 0604 仓储用地, 08H1 = 0801–0802, 08H2 = 0803–0808, 09 = 0901–0906). Names: GB/T 21010-2017 表1.
GB_DETAIL_CODES: dict[str, tuple[str, str]] = {
    "0501": (N_("零售商业用地"), "05H1"),
    "0502": (N_("批发市场用地"), "05H1"),
    "0503": (N_("餐饮用地"), "05H1"),
    "0504": (N_("旅馆用地"), "05H1"),
    "0505": (N_("商务金融用地"), "05H1"),
    "0506": (N_("娱乐用地"), "05H1"),
    "0507": (N_("其他商服用地"), "05H1"),
    "0604": (N_("仓储用地"), "0508"),
    "0801": (N_("机关团体用地"), "08H1"),
    "0802": (N_("新闻出版用地"), "08H1"),
    "0803": (N_("教育用地"), "08H2"),
    "0804": (N_("科研用地"), "08H2"),
    "0805": (N_("医疗卫生用地"), "08H2"),
    "0806": (N_("社会福利用地"), "08H2"),
    "0807": (N_("文化设施用地"), "08H2"),
    "0808": (N_("体育用地"), "08H2"),
    "0901": (N_("军事设施用地"), "09"),
    "0902": (N_("使领馆用地"), "09"),
    "0903": (N_("监教场所用地"), "09"),
    "0904": (N_("宗教用地"), "09"),
    "0905": (N_("殡葬用地"), "09"),
    "0906": (N_("风景名胜设施用地"), "09"),
}

FARMLAND_LEVEL1 = "01"

# Map colours of the first-level classes (the 三调 cartographic convention, by the first two characters of DLBM):
# the one palette for the web maps (layers/maps.py hands it to static/web/map.js) and the report figures.
LEVEL1_COLOURS: dict[str, str] = {
    "00": "#7fc8c2", "01": "#f5e79e", "02": "#e6a85c", "03": "#59a14f", "04": "#b5d98a", "05": "#e15759",
    "06": "#9c755f", "07": "#f28e8e", "08": "#d37295", "09": "#8c564b", "10": "#a0a0a0", "11": "#6baed6",
    "12": "#d9d2b6",
}
UNKNOWN_CLASS_COLOUR = "#cccccc"


@dataclass(frozen=True, slots=True)
class LandClass:
    code: str
    name: str  # official Chinese name (DLMC); use .label for the translated form
    level1_code: str  # 三调 first-level class ("00" 湿地 … "12" 其他土地)
    level1_name: str
    big_class: BigClass
    gb_level1_code: str  # GB/T 21010 parent: differs from level1_code only for the 湿地 codes
    adjustable: bool  # a "K" 可调整地类

    @property
    def label(self) -> Promise:
        return _(self.name)

    @property
    def level1_label(self) -> Promise:
        return _(self.level1_name)

    @property
    def is_farmland(self) -> bool:
        return self.level1_code == FARMLAND_LEVEL1


def _build() -> dict[str, LandClass]:
    table: dict[str, LandClass] = {}
    for code, name, level1, big in _TABLE:
        assert code not in table, code
        table[code] = LandClass(
            code=code,
            name=name,
            level1_code=level1,
            level1_name=LEVEL1_NAMES[level1],
            big_class=big,
            gb_level1_code=code[:2],
            adjustable=code.endswith("K"),
        )
    return table


LAND_CLASSES: dict[str, LandClass] = _build()


class UnknownLandClassError(ValueError):
    """A DLBM value that is not a 三调 land class. ``code`` is the value as given."""

    def __init__(self, code: object, message: str) -> None:
        super().__init__(message)
        self.code = code


def normalize_code(code: object) -> str:
    """The canonical spelling of a DLBM value: surrounding blanks removed, letters upper-case ("0201k").

    Numbers are refused rather than zero-padded: a DLBM read as a number has lost information ("09" vs
    "0900" vs "9"), and guessing would put land in the wrong class.
    """
    if not isinstance(code, str):
        raise UnknownLandClassError(
            code, gettext("地类编码必须是文本，收到 %(type)s %(value)s")
                % {"type": type(code).__name__, "value": repr(code)}
        )
    return code.strip().upper()


def classify(code: object) -> LandClass:
    """The land class of a DLBM code; UnknownLandClassError (with the reason) for anything else."""
    canonical = normalize_code(code)
    found = LAND_CLASSES.get(canonical)
    if found is not None:
        return found
    if canonical in GB_DETAIL_CODES:
        return LAND_CLASSES[GB_DETAIL_CODES[canonical][1]]
    if canonical in CHANGE_SURVEY_CODES:
        raise UnknownLandClassError(
            code,
            gettext("地类编码 %(code)s（%(name)s）是变更调查专用编码，不是地类，没有三大类归属；"
                    "请先换成实地的三调地类再做分析")
            % {"code": canonical, "name": gettext(CHANGE_SURVEY_CODES[canonical])},
        )
    if canonical.endswith("K") and canonical[:-1] in LAND_CLASSES:
        raise UnknownLandClassError(
            code, gettext("地类编码 %(code)s：%(parent)s 没有可调整（K）地类")
                % {"code": canonical, "parent": canonical[:-1]}
        )
    raise UnknownLandClassError(
        code, gettext("未知的地类编码 %(code)s（不在三调工作分类 / GB/T 21010-2017 中）") % {"code": repr(code)}
    )


def lookup(code: object) -> LandClass | None:
    """The land class of a stored DLBM (as classify), or None where there is none (a change-survey code)."""
    try:
        return classify(code)
    except UnknownLandClassError:
        return None


def code_and_name(code: object) -> str:
    """A code as people read it: "0102 水浇地" (the name translated); an unknown code as given, none as ""."""
    found = lookup(code)
    if found is None:
        return "" if code in (None, "") else str(code)
    return f"{found.code} {found.label}"


def is_farmland(code: object) -> bool:
    """耕地 = first-level class 01 (0101 水田, 0102 水浇地, 0103 旱地). Raises for unknown codes."""
    return classify(code).is_farmland
