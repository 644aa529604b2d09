"""Push channels (企业微信 / 钉钉 robots, SMS) and the delivery log with its retries."""

from __future__ import annotations

from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _

from landguard.supervision.models.tasks import Task


class Channel(models.Model):
    """An outside channel pushes go to besides the inbox: a 企业微信 or 钉钉 group robot, or an SMS gateway."""

    class Kind(models.TextChoices):
        WECOM = "wecom", _("企业微信群机器人")
        DINGTALK = "dingtalk", _("钉钉群机器人")
        SMS = "sms", _("短信网关")

    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=100)
    url = models.URLField(_("接口地址"), max_length=500)
    secret = models.CharField(_("签名密钥或令牌"), max_length=200, blank=True,
                              help_text=_("钉钉“加签”密钥；短信网关的 Bearer 令牌"))
    phones = models.CharField(_("手机号"), max_length=500, blank=True,
                              help_text=_("短信接收人或群内 @ 的手机号，逗号分隔"))
    region_code = models.CharField(_("适用区划代码"), max_length=12, db_index=True,
                                   help_text=_("该区划内的任务推送到此渠道"))
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["region_code", "kind", "name"]
        verbose_name = _("推送渠道")
        verbose_name_plural = _("推送渠道")

    def __str__(self) -> str:
        return self.name

    def phone_list(self) -> list[str]:
        return [p.strip() for p in self.phones.replace("，", ",").split(",") if p.strip()]


class Delivery(models.Model):
    """One message to one channel, with its attempts: the delivery log."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已送达")
        FAILED = "failed", _("失败")

    channel = models.ForeignKey(Channel, models.PROTECT, related_name="deliveries", verbose_name=_("渠道"))
    task = models.ForeignKey(Task, models.PROTECT, null=True, blank=True, related_name="deliveries",
                             verbose_name=_("核查任务"))
    region_code = models.CharField(_("区划代码"), max_length=12, db_index=True)
    title = models.CharField(_("标题"), max_length=200)
    text = models.TextField(_("内容"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), db_index=True)
    last_error = models.CharField(_("最近错误"), max_length=300, blank=True)
    response_status = models.PositiveSmallIntegerField(_("响应码"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    sent_at = models.DateTimeField(_("送达时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("推送记录")
        verbose_name_plural = _("推送记录")

    def __str__(self) -> str:
        return f"{self.channel}：{self.title}"
