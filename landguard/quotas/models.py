"""The land-quota ledgers (指标台账): one account per region, year and kind of indicator, and its entries.

An entry is never changed or deleted: `QuotaEntry.save` refuses an update and `delete` refuses, the queryset
refuses bulk `update()`/`delete()`, and database triggers (migration 0002) refuse UPDATE and DELETE whatever
the code path, as for the audit trail. A mistake is put right by a correction entry that refers to the entry it
corrects.

`amount` is the entry's signed effect on the account's available balance (可用余额), so the available balance is
the sum of the amounts (less any expired carry-over, selectors.balance):

    allocate (下达/奖励/结转/项目入库)  +q          transfer_in (调入)   +q
    reserve (预占)                     −q          transfer_out (调出)  −q
    settle (核销)                       0          correct (更正)       ± the difference
    release (退回)                     +q

A reservation's state (预占 → 核销 or 退回) is never written on the reservation: it is the row that closes it, a
settle or release entry whose `refers_to` is the reservation (unique, so a reservation closes once). Open
reservations are the reserve rows nothing refers to. A transfer's incoming row refers to its outgoing row.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from landguard.regions.models import Region


class Kind(models.TextChoices):
    PLAN = "plan", _("新增建设用地计划指标")
    LINK_TURNOVER = "link_turnover", _("增减挂钩周转指标")
    LINK_SURPLUS = "link_surplus", _("增减挂钩节余指标")
    OFFSET_AREA = "offset_area", _("耕地数量指标")
    OFFSET_PADDY = "offset_paddy", _("水田规模指标")
    OFFSET_CAPACITY = "offset_capacity", _("粮食产能指标")


# 粮食产能 is counted in 公斤; every other indicator in 亩 (domain.md §7).
UNIT_MU, UNIT_KG = _("亩"), _("公斤")
OFFSET_KINDS = (Kind.OFFSET_AREA, Kind.OFFSET_PADDY, Kind.OFFSET_CAPACITY)


def unit_of(kind: str) -> Any:
    return UNIT_KG if kind == Kind.OFFSET_CAPACITY else UNIT_MU


class Source(models.TextChoices):
    ISSUED = "issued", _("下达")
    REWARD = "reward", _("奖励")
    CARRY_OVER = "carry_over", _("结转")
    PROJECT = "project", _("项目入库")


class Action(models.TextChoices):
    ALLOCATE = "allocate", _("下达入账")
    RESERVE = "reserve", _("预占")
    SETTLE = "settle", pgettext_lazy("quota ledger action", "核销")
    RELEASE = "release", pgettext_lazy("quota ledger action", "退回")
    TRANSFER_OUT = "transfer_out", _("调剂调出")
    TRANSFER_IN = "transfer_in", _("调剂调入")
    CORRECT = "correct", _("更正")


class ReservationState(models.TextChoices):
    """Derived, never stored: see the module docstring."""

    OPEN = "open", _("预占中")
    SETTLED = "settled", _("已核销")
    RELEASED = "released", _("已退回")


class QuotaAccount(models.Model):
    """The row every write to a ledger locks (select_for_update), so two reservations on it serialise."""

    region = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name=_("行政区"))
    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("指标类型"), max_length=20, choices=Kind.choices)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        ordering = ["region__code", "-year", "kind"]
        verbose_name = _("指标账户")
        verbose_name_plural = _("指标账户")
        constraints = [models.UniqueConstraint(fields=["region", "year", "kind"], name="quota_account_unique")]

    def __str__(self) -> str:
        return f"{self.region.name} {self.year} {self.get_kind_display()}"

    @property
    def unit(self) -> Any:
        return unit_of(self.kind)


class AppendOnly(Exception):
    """An attempt to change or delete a ledger entry."""


class QuotaEntryQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnly("quota entries are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnly("quota entries are append-only")


class QuotaEntry(models.Model):
    account = models.ForeignKey(QuotaAccount, models.PROTECT, related_name="entries", verbose_name=_("指标账户"))
    action = models.CharField(_("业务类型"), max_length=12, choices=Action.choices)
    source = models.CharField(_("来源"), max_length=12, choices=Source.choices, blank=True)
    amount = models.DecimalField(_("指标数量"), max_digits=14, decimal_places=4,
                                 help_text=_("对可用余额的影响，增加为正、减少为负"))
    refers_to = models.OneToOneField("self", models.PROTECT, null=True, blank=True, related_name="closed_by",
                                     verbose_name=_("对应分录"),
                                     help_text=_("核销、退回所对应的预占；调入所对应的调出"))
    corrects = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="corrections",
                                 verbose_name=_("更正的分录"))
    holder_key = models.CharField(_("占用业务"), max_length=80, blank=True, db_index=True,
                                  help_text="who holds a reservation, e.g. approvals.dossier:12")
    holder_label = models.CharField(_("关联批次"), max_length=200, blank=True)
    holder_url = models.CharField(_("关联链接"), max_length=300, blank=True)
    document_no = models.CharField(_("文号"), max_length=120, blank=True)
    effective_on = models.DateField(_("业务日期"))
    expires_on = models.DateField(_("有效期至"), null=True, blank=True,
                                  help_text=_("结转指标的有效期；周转指标的归还期限"))
    price_wan_yuan_per_mu = models.DecimalField(_("调剂价格（万元/亩）"), max_digits=10, decimal_places=2, null=True,
                                                blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    is_override = models.BooleanField(_("超额预占"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name=_("经办人"))
    created_at = models.DateTimeField(_("记账时间"), default=timezone.now)

    objects = QuotaEntryQuerySet.as_manager()

    class Meta:
        ordering = ["account", "id"]
        verbose_name = _("指标分录")
        verbose_name_plural = _("指标分录")
        constraints = [
            models.CheckConstraint(
                condition=Q(refers_to__isnull=True) | Q(action__in=["settle", "release", "transfer_in"]),
                name="quota_entry_refers_to_closing_rows"),
            models.CheckConstraint(condition=Q(corrects__isnull=True) | Q(action="correct"),
                                   name="quota_entry_corrects_only_corrections"),
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.get_action_display()} {self.amount}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnly("quota entries are append-only: add a correction instead")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnly("quota entries are append-only: add a correction instead")
