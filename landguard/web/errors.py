"""The 403 and 404 pages in the product's shell (landguard/urls.py: handler403, handler404).

Django calls these inside the middleware stack, so the session, the user and the language cookie apply and the page
comes in the reader's language. The templates (403.html, 404.html) extend `error_shell`: the shell's error page,
or a bare one when the shell's links cannot be reversed (a URLconf without the site's namespaces, as the access
walk's fixtures use; Django's own handlers render the same templates without `error_shell`, so bare too).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.csrf import requires_csrf_token

SHELL = "web/_error.html"
BARE = "web/_error_bare.html"


def _render(request: HttpRequest, template: str, status: int) -> HttpResponse:
    try:
        reverse("web:home")
        shell = SHELL
    except NoReverseMatch:
        shell = BARE
    return render(request, template, {"error_shell": shell}, status=status)


@requires_csrf_token  # the shell's language and logout forms carry the token
def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _render(request, "403.html", 403)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _render(request, "404.html", 404)
