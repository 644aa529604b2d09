"""The 叠加分析 form: a boundary drawn on the map or uploaded as a file, and the layers to analyse against."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from landguard.analysis import services
from landguard.layers.models import LayerKind, LayerVersion

AUTO = "auto"
MAX_PAGE_BOUNDARIES = 50  # more belong in the API or `manage.py overlay`: a page of 50 sets of tables is already long


def version_label(v: LayerVersion) -> str:
    details = [f"v{v.number}"] + ([str(v.year)] if v.year else [])
    return f"{v.layer.name}（{' · '.join(details)}）"


class OverlayForm(forms.Form):
    boundary = forms.CharField(required=False, widget=forms.HiddenInput)  # GeoJSON geometry drawn on the map
    file = forms.FileField(
        label=gettext_lazy("上传边界文件"), required=False,
        help_text=gettext_lazy("GeoJSON、Shapefile（zip）、KML/KMZ、GeoPackage、坐标交换文件（txt）、CSV/XLSX 坐标表；"
                               "上传后以文件为准，不再使用地图上绘制的边界"))
    dltb = forms.ChoiceField(label=gettext_lazy("地类图斑"), widget=forms.RadioSelect)
    controls = forms.MultipleChoiceField(label=gettext_lazy("管控图层"), required=False,
                                         widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, versions: list[LayerVersion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.versions = {str(v.pk): v for v in versions}
        dltbs = [v for v in versions if v.layer.kind == LayerKind.DLTB]
        controls = [v for v in versions if v.layer.kind != LayerKind.DLTB]
        # 自动: the official layers of each county the boundary lies in (services.choose_layers), the one
        # choice that analyses a boundary crossing county lines; a named DLTB analyses everything against it.
        self.fields["dltb"].choices = ([(AUTO, _("自动：边界所在各县的官方图层"))] if dltbs else []) + [
            (str(v.pk), version_label(v)) for v in dltbs]
        self.fields["controls"].choices = [(str(v.pk), version_label(v)) for v in controls]
        if dltbs:
            self.fields["dltb"].initial = AUTO
        self.fields["controls"].initial = [str(v.pk) for v in controls]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        upload: UploadedFile | None = data.get("file")
        drawn = (data.get("boundary") or "").strip()
        try:
            if upload is not None:
                boundaries = services.read_upload(upload)
                data["source"] = upload.name
            elif drawn:
                boundaries = _read_drawn(drawn)
                data["source"] = _("地图绘制")
            else:
                raise forms.ValidationError(_("请在地图上绘制边界，或上传边界文件"))
        except services.OverlayError as exc:
            raise forms.ValidationError(exc.messages) from None
        if len(boundaries.geometries) > MAX_PAGE_BOUNDARIES:
            raise forms.ValidationError(
                _("文件有 %(count)s 个边界，本页面一次最多分析 %(max)s 个；更多请使用接口 /api/overlay/ 或命令 "
                  "manage.py overlay")
                % {"count": len(boundaries.geometries), "max": MAX_PAGE_BOUNDARIES})
        data["boundaries"] = boundaries
        if data.get("dltb"):
            data["dltb_version"] = None if data["dltb"] == AUTO else self.versions[data["dltb"]]
        data["control_versions"] = [self.versions[pk] for pk in data.get("controls", [])]
        return data


def _read_drawn(text: str) -> services.Boundaries:
    try:
        geometry = json.loads(text)
    except json.JSONDecodeError:
        raise services.OverlayError(_("绘制的边界无法识别，请重新绘制")) from None
    boundaries = services.boundaries_from_geojson(geometry)
    return services.Boundaries(boundaries.geometries, [_("地图绘制的边界")] * len(boundaries.geometries),
                               boundaries.warnings)
