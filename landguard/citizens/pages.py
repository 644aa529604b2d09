"""What the citizens pages share: who may work on matters, and one action posted on a matter's page — the form
read, the service called, its refusal or success said, and back to the page (registrations, 12345 orders and
信访 cases all post their actions this way)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from landguard.citizens import services
from landguard.citizens.models import Matter
from landguard.core.text import join_clauses
from landguard.people.models import acting_user


def require_work(request: HttpRequest) -> None:
    if not services.can_work(acting_user(request)):
        raise PermissionDenied


def act(request: HttpRequest, matter: Matter, form_class: type[forms.Form], call: Callable[[Matter, dict], Any],
        done: str | Callable[[Any], str], back: str) -> HttpResponse:
    """Run `call(matter, cleaned_data)` for a POST (a GET just goes back); a service's refusal is shown, never a 500."""
    require_work(request)
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                result = call(matter, form.cleaned_data)
            except (ValidationError, PermissionDenied) as error:
                messages.error(request, join_clauses(getattr(error, "messages", [str(error)])))
            else:
                messages.success(request, done(result) if callable(done) else done)
        else:
            messages.error(request, join_clauses(str(e) for errors in form.errors.values() for e in errors))
    return redirect(back)
