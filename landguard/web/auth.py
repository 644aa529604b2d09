"""The login page with the password-guessing brake (landguard.core.login_throttle)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpResponse

from landguard.core import login_throttle


class ThrottledAuthenticationForm(AuthenticationForm):
    throttled = False

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        if username and (message := login_throttle.refusal(self.request, username)):
            self.throttled = True
            raise ValidationError(message, code="throttled")
        try:
            cleaned = super().clean()
        except ValidationError as error:
            if username and any(e.code == "invalid_login" for e in error.error_list):
                login_throttle.failed(self.request, username)
            raise
        login_throttle.succeeded(self.request, username)
        return cleaned


class LoginView(auth_views.LoginView):
    form_class = ThrottledAuthenticationForm
    template_name = "web/login.html"
    redirect_authenticated_user = True

    def form_invalid(self, form: ThrottledAuthenticationForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_invalid(form)
        if form.throttled:
            # 429, so scripts and monitoring see a refusal rather than one more wrong password.
            response.status_code = 429
        return response
