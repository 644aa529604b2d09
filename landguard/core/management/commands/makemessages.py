"""makemessages that also extracts `N_("…")` (gettext_noop under its short name: the 三调 land-class names in
engine/landclass.py are marked this way, translated when shown) — without it xgettext skips them and English pages
show the Chinese names."""

from __future__ import annotations

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=N_"]
