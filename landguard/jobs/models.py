"""Background jobs a user starts and watches: an uploaded file imported by the worker, with progress and a report.

The row is the job's lasting record (who, what file, outcome, report). Live progress while it runs lives in
the cache (services.progress), because the import writes inside one transaction that the polling page
cannot see into until it commits.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    # An export job (EXPORT_KINDS) has no upload: `file` is its result, downloaded by the submitter only.
    class Kind(models.TextChoices):
        BOUNDARIES = "boundaries", _("行政区边界导入")
        LAYER = "layer", _("图层导入")
        PATCH_BATCH = "patch_batch", _("卫片批次导入")
        LAYER_EXPORT = "layer_export", _("要素导出")
        LIST_EXPORT = "list_export", _("列表导出")
        PROVINCE_BATCH = "province_batch", _("卫片图斑分县批量分类")
        DOSSIER_OVERLAY = "dossier_overlay", _("已批用地分县叠加复核")

    EXPORT_KINDS = frozenset({Kind.LAYER_EXPORT, Kind.LIST_EXPORT})
    # A batch over the submitter's scope: no upload, no file; its report lines are the result.
    BATCH_KINDS = frozenset({Kind.PROVINCE_BATCH, Kind.DOSSIER_OVERLAY})

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("处理中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    kind = models.CharField(_("类型"), max_length=30, choices=Kind.choices)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    file = models.FileField(_("文件"), upload_to="jobs/%Y%m/")
    original_name = models.CharField(_("原文件名"), max_length=255)
    options = models.JSONField(_("选项"), default=dict, blank=True)
    scope_code = models.CharField(_("数据范围代码"), max_length=12, blank=True, db_index=True,
                                  help_text="the submitter's scope root; the job is visible inside that scope")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("提交人"))
    created_at = models.DateTimeField(_("提交时间"), default=timezone.now, db_index=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    report = models.JSONField(_("报告"), default=list, blank=True, help_text="lines shown to the user")
    error = models.TextField(_("错误"), blank=True)
    result_url = models.CharField(_("结果页面"), max_length=300, blank=True,
                                  help_text="where the imported data can be seen")
    # The lease (services.run / services.reclaim): who runs it, how many runs began, the last sign of life.
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    worker = models.CharField(_("处理进程"), max_length=200, blank=True,
                              help_text="host|pid namespace|pid|process start of the worker running it "
                              "(services.worker_identity)")
    heartbeat_at = models.DateTimeField(_("最近心跳"), null=True, blank=True)
    upload_deleted_at = models.DateTimeField(_("上传文件删除时间"), null=True, blank=True,
                                             help_text="the stored upload was deleted after the retention period")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}：{self.original_name}"

    @property
    def is_export(self) -> bool:
        return self.kind in self.EXPORT_KINDS

    @property
    def is_batch(self) -> bool:
        return self.kind in self.BATCH_KINDS

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
