"""The 报批台账 as bureaus keep it (domain-land.md §A.4) and the yearly summary table, for the xlsx exports and the
weekly report: one place for the columns, so the page, the export and the report never disagree."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from landguard.approvals import selectors
from landguard.approvals.models import Dossier
from landguard.approvals.quota_groups import GROUPS, PLAN
from landguard.core.exports import COUNT, HECTARES, MU, ExportColumn
from landguard.core.geodesy import SQM_PER_MU, hectares
from landguard.core.scope import RegionScope
from landguard.quotas import selectors as quota_selectors

_LEDGER = (
    (gettext_lazy("批次/项目名称"), None), (gettext_lazy("类型"), None), (gettext_lazy("行政区"), None),
    (gettext_lazy("报批年度"), None), (gettext_lazy("用地总面积（公顷）"), HECTARES),
    (gettext_lazy("农用地（公顷）"), HECTARES), (gettext_lazy("其中耕地（公顷）"), HECTARES),
    (gettext_lazy("其中永久基本农田（公顷）"), HECTARES), (gettext_lazy("建设用地（公顷）"), HECTARES),
    (gettext_lazy("未利用地（公顷）"), HECTARES), (gettext_lazy("新增建设用地（公顷）"), HECTARES),
    (gettext_lazy("集体土地（公顷）"), HECTARES), (gettext_lazy("国有土地（公顷）"), HECTARES),
    (gettext_lazy("使用计划指标（亩）"), MU), (gettext_lazy("补充耕地数量（亩）"), MU),
    (gettext_lazy("补充水田规模（亩）"), MU), (gettext_lazy("补充粮食产能（公斤）"), COUNT),
    (gettext_lazy("补充耕地指标来源"), None), (gettext_lazy("征收面积（公顷）"), HECTARES),
    (gettext_lazy("用地预审文号"), None), (gettext_lazy("上报日期"), None), (gettext_lazy("农转用批准机关"), None),
    (gettext_lazy("征收批准机关"), None), (gettext_lazy("批复文号"), None), (gettext_lazy("批复日期"), None),
    (gettext_lazy("状态"), None), (gettext_lazy("备注"), None),
)


def columns() -> list[ExportColumn]:
    return [ExportColumn(header, number_format) for header, number_format in _LEDGER]


def _by_group(dossier: Dossier) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for line in dossier.quotas.all():
        group = GROUPS.get(line.kind, line.kind)
        totals[group] = totals.get(group, Decimal(0)) + line.amount
    return totals


def row(d: Dossier) -> list[Any]:
    quotas = _by_group(d)
    return [d.name, d.get_kind_display(), d.region.name, d.year, hectares(d.total_m2), hectares(d.agricultural_m2),
            hectares(d.farmland_m2), hectares(d.basic_farmland_m2), hectares(d.construction_m2),
            hectares(d.unused_m2), hectares(d.new_construction_m2), hectares(d.collective_m2), hectares(d.state_m2),
            float(quotas.get(PLAN, 0)), float(quotas.get("farmland_quantity", 0)),
            float(quotas.get("farmland_paddy", 0)), float(quotas.get("farmland_capacity", 0)), d.supplement_source,
            hectares(d.expropriation_m2), d.pre_review_no, d.submitted_on, d.get_conversion_authority_display(),
            d.get_expropriation_authority_display(), d.approval_no, d.approved_on, d.get_status_display(), d.note]


def _mu4(m2: float) -> float:
    return round(m2 / SQM_PER_MU, 4)


def summary_table(scope: RegionScope, year: int) -> tuple[list[ExportColumn], Iterator[list[Any]]]:
    """Per county: dossiers approved in `year` by kind, approved area (亩 to 4 dp, as reports state it), and the
    previous year's for comparison."""
    previous = {r.region_code: r for r in selectors.year_figures(scope, year - 1)}
    cols = [ExportColumn(_("行政区"))] + [ExportColumn(str(label), COUNT) for _k, label in Dossier.Kind.choices] + [
        ExportColumn(_("批复合计（件）"), COUNT), ExportColumn(_("批复面积（亩）"), "#,##0.0000"),
        ExportColumn(_("其中新增建设用地（亩）"), "#,##0.0000"), ExportColumn(_("上年批复（件）"), COUNT),
        ExportColumn(_("上年批复面积（亩）"), "#,##0.0000")]

    def rows() -> Iterator[list[Any]]:
        for r in selectors.year_figures(scope, year):
            before = previous.get(r.region_code)
            yield ([r.region_name] + [r.approved.get(k, 0) for k, _label in Dossier.Kind.choices]
                   + [r.approved_count, _mu4(r.approved_m2), _mu4(r.approved_new_m2),
                      before.approved_count if before else 0, _mu4(before.approved_m2) if before else 0.0])

    return cols, rows()


def ratios(scope: RegionScope, year: int) -> tuple[list[Any], dict[str, str]]:
    """The quota ledgers' 上报比例 / 批复比例 per county for the year, and the formulas in force (no official
    definition exists: the quota app's settings choose them, and the page shows them)."""
    return quota_selectors.report(scope, year), quota_selectors.formulas()
