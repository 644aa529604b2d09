"""How people write region names: the official name, its short forms and 自治 forms.

A province's or city's own tables rarely print the official name: 恩施州 for 恩施土家族苗族自治州, 宜昌 for 宜昌市,
长阳县 for 长阳土家族自治县, 神农架 for 神农架林区. `name_keys` gives every form a table may use for one region, so
an import can match a printed name to the region without a hand edit.
"""

from __future__ import annotations

import re

# The 55 minority nationalities as they appear in autonomous-area names (longest first, so 土家族 is tried
# before 家族-like fragments and 蒙古族 before 古族).
_NATIONALITIES = sorted((
    "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族", "满族", "侗族", "瑶族", "白族",
    "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族", "佤族", "畲族", "高山族", "拉祜族", "水族", "东乡族",
    "纳西族", "景颇族", "柯尔克孜族", "土族", "达斡尔族", "仫佬族", "羌族", "布朗族", "撒拉族", "毛南族", "仡佬族",
    "锡伯族", "阿昌族", "普米族", "塔吉克族", "怒族", "乌孜别克族", "俄罗斯族", "鄂温克族", "德昂族", "保安族",
    "裕固族", "京族", "塔塔尔族", "独龙族", "鄂伦春族", "赫哲族", "门巴族", "珞巴族", "基诺族", "各族",
), key=len, reverse=True)
_AUTONOMOUS = re.compile(r"^(?P<stem>.+?)(?P<peoples>(?:%s)+)自治(?P<unit>州|县|旗)$" % "|".join(_NATIONALITIES))
# Unit words a short name drops (特别行政区 and 林区 before 区, so the longer word goes first).
_SUFFIX = re.compile(r"(特别行政区|自治区|自治州|自治县|自治旗|林区|地区|街道|新区|市|县|区|镇|乡|盟|旗|州)$")


def name_keys(name: str) -> set[str]:
    """Every form of `name` a published table may print: the name, the name without its unit word, and for an
    autonomous area the stem with its unit (恩施州) and the bare stem (恩施)."""
    name = name.strip()
    keys = {name}
    if match := _AUTONOMOUS.match(name):
        stem = match["stem"]
        keys |= {stem + match["unit"], stem}
    elif stripped := _SUFFIX.sub("", name):
        if len(stripped) >= 2:  # 城区 → 城 would match too much
            keys.add(stripped)
    return keys
