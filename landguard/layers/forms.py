"""The layer upload form: what the import needs to know that the file may not say."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from landguard.core.scope import RegionScope
from landguard.formats.uploads import ENCODING_CHOICES
from landguard.layers import selectors
from landguard.layers.models import LayerKind
from landguard.layers.schema import FieldMappingError, parse_mapping
from landguard.regions import selectors as region_selectors
from landguard.regions.models import Level

CRS_CHOICES = [("", _("自动识别（按 .prj 或坐标数值）")), ("cgcs2000", _("CGCS2000 经纬度")),
               ("wgs84", _("WGS84 经纬度")),
               ("gcj02", _("GCJ-02（高德、腾讯等网络地图）")),
               ("epsg", _("CGCS2000 高斯-克吕格投影（填写 EPSG 代码）"))]
KCXS_UNITS = [("auto", _("自动判断（整个图层一种写法）")), ("fraction", _("小数（如 0.08）")),
              ("percent", _("百分数（如 8）")),
              ("per_value", _("逐个判断（大于 1 视为百分数）"))]


class LayerImportForm(forms.Form):
    file = forms.FileField(label=_("图层文件"), help_text=_(
        "压缩的 Shapefile（.zip，含 .shp/.dbf/.shx/.prj，可含 .cpg）、GeoPackage、GeoJSON、KML/KMZ、CSV/XLSX 坐标表，"
        "或自然资源部坐标交换文件（.txt）"))
    kind = forms.ChoiceField(label=_("图层类型"), choices=LayerKind.choices)
    layer = forms.ModelChoiceField(label=_("更新已有图层"), queryset=None, required=False,
                                   empty_label=_("（新建图层）"),
                                   help_text=_("选择后导入为该图层的新版本：先作为草稿，在图层页面核对与现行版本的差异后发布；原版本保留"))
    name = forms.CharField(label=_("新图层名称"), required=False, max_length=100,
                           help_text=_("新建图层时填写，如“某县2023年度变更调查地类图斑”"))
    region = forms.ModelChoiceField(label=_("所属行政区"), queryset=None, to_field_name="code", required=False,
                                    empty_label=_("（新建图层时选择；更新已有图层时取该图层的）"))
    year = forms.IntegerField(label=_("数据年份"), required=False, min_value=1980, max_value=2100)
    source = forms.CharField(label=_("数据来源"), required=False, max_length=200,
                             help_text=_("如“2023年度国土变更调查成果”"))
    encoding = forms.ChoiceField(label=_("属性文本编码"), choices=ENCODING_CHOICES, required=False)
    crs = forms.ChoiceField(label=_("坐标系"), choices=CRS_CHOICES, required=False)
    epsg = forms.IntegerField(label=_("EPSG 代码"), required=False, min_value=4491, max_value=4554,
                              help_text=_("4491–4554：CGCS2000 高斯-克吕格 3°/6° 分带，如 4527（39 带，带号前缀）"))
    sublayer = forms.CharField(label=_("子图层"), required=False, max_length=100,
                               help_text=_(
                                   "GeoPackage 图层名、KML 文件夹、XLSX 工作表，或压缩包中的文件名；只有一个时留空"))
    field_map = forms.CharField(label=_("字段对应"), required=False, max_length=500,
                                help_text=_(
                                    "标准字段=文件字段，逗号分隔，如 DLBM=地类编码,KCXS=TKXS；留空时按字段名自动识别"))
    kcxs_unit = forms.ChoiceField(label=_("扣除地类系数写法"), choices=KCXS_UNITS, initial="auto", required=False)
    repair = forms.BooleanField(label=_("自动修复无效几何"), required=False,
                                help_text=_("不勾选时，任何无效几何都会使整个文件被拒绝；勾选后修复并在报告中逐条列出"))
    allow_outside = forms.BooleanField(label=_("允许导入区域外的要素"), required=False, help_text=_(
        "警告：位于所属行政区边界外 2 公里以上的要素通常说明选错了行政区、混入了其他地区的数据或坐标系有误。"
        "不勾选时这样的要素会使整个文件被拒绝；仅在确认它们属于本图层时勾选，导入报告会逐一列出"))

    def __init__(self, *args: Any, scope: RegionScope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scope = scope
        # Versions may be added only to layers owned inside the scope (a township cannot replace the county's DLTB).
        self.fields["layer"].queryset = scope.filter(selectors.layers(scope), "region_code")
        self.fields["region"].queryset = region_selectors.regions(scope).filter(level__lte=Level.TOWNSHIP).defer("geom")
        self.fields["region"].label_from_instance = lambda r: f"{r.name}（{r.code}）"
        self.fields["file"].help_text = str(self.fields["file"].help_text) + str(
            _("。不超过 %(mb)s MB") % {"mb": settings.UPLOAD_MAX_MB})

    def clean_field_map(self) -> dict[str, str]:
        try:
            return parse_mapping(self.cleaned_data.get("field_map") or "")
        except FieldMappingError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        layer = data.get("layer")
        if layer is not None:
            if data.get("kind") and layer.kind != data["kind"]:
                self.add_error("kind", _("所选图层的类型是%(kind)s") % {"kind": layer.get_kind_display()})
            data["region"] = layer.region  # the layer's own: no region needs choosing (nor may another be)
        else:
            if not data.get("name"):
                self.add_error("name", _("新建图层时请填写名称"))
            if not data.get("region") and "region" not in self.errors:
                self.add_error("region", _("新建图层时请选择所属行政区"))
        if data.get("crs") == "epsg" and not data.get("epsg"):
            self.add_error("epsg", _("请填写 EPSG 代码"))
        return data

    def job_options(self) -> dict[str, Any]:
        d = self.cleaned_data
        layer = d.get("layer")
        crs = f"epsg:{d['epsg']}" if d.get("crs") == "epsg" else (d.get("crs") or "")
        return {
            "kind": d["kind"], "layer_id": layer.pk if layer else None, "name": layer.name if layer else d["name"],
            "region_code": d["region"].code, "year": d.get("year"), "source": d.get("source") or "",
            "encoding": d.get("encoding") or "", "crs": crs, "sublayer": d.get("sublayer") or "",
            "field_map": d.get("field_map") or {}, "kcxs_unit": d.get("kcxs_unit") or "auto",
            "repair": bool(d.get("repair")),
            "allow_outside": bool(d.get("allow_outside")),
        }

