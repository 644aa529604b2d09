"""Who may call which method. Reading needs a login (the scope does the rest); writing needs `can_manage`."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission


class ManagerWritesOnly(BasePermission):
    """Any signed-in user reads (inside their scope); only admins (User.can_manage) create or change."""

    message = _("您没有修改此类数据的权限。")

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return request.method in SAFE_METHODS or bool(getattr(user, "can_manage", False))
