"""Every Chinese name the UI shows for a model (verbose_name, verbose_name_plural) or a choice (every TextChoices
label) is a term of docs/glossary.md, so the glossary keeps pace with the code: a new model or choice fails here
until its term and English code name are added."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

from django.apps import apps
from django.db.models import TextChoices
from django.utils import translation

import landguard

GLOSSARY = Path(__file__).resolve().parents[2] / "docs" / "glossary.md"
CJK = re.compile(r"[\u3400-\u9fff]")
# Modules not imported for the search: the migrations (historical copies) and the WSGI entry point (builds the app).
_SKIPPED = re.compile(r"\.migrations(\.|$)|^landguard\.wsgi$")


def _import_every_module() -> None:
    """TextChoices defined outside models (engine.kinds, …) exist only once their module is imported."""
    for module in pkgutil.walk_packages(landguard.__path__, "landguard."):
        if not _SKIPPED.search(module.name):
            importlib.import_module(module.name)


def _subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub, *_subclasses(sub)}
    return found


def _terms() -> dict[str, str]:
    """Chinese term → where the code defines it. The source strings (gettext msgids) are the Chinese ones."""
    _import_every_module()
    terms: dict[str, str] = {}
    with translation.override(None):
        for model in apps.get_models():
            if model.__module__.startswith("landguard."):
                for attr in ("verbose_name", "verbose_name_plural"):
                    terms.setdefault(str(getattr(model._meta, attr)), f"{model.__name__}.{attr}")
        for choices in _subclasses(TextChoices):
            if choices.__module__.startswith("landguard."):
                for member in choices:
                    terms.setdefault(str(member.label), f"{choices.__module__}.{choices.__qualname__}.{member.name}")
    return terms


def test_every_model_name_and_choice_label_is_in_the_glossary():
    glossary = GLOSSARY.read_text(encoding="utf-8")
    terms = _terms()
    assert len(terms) > 100  # the search found the models and choices at all
    missing = sorted(f"{term} ({where})" for term, where in terms.items() if term not in glossary)
    assert not missing, "add these terms to docs/glossary.md with their English code name:\n" + "\n".join(missing)


def test_every_model_and_choice_has_a_chinese_name():
    """A model without verbose_name shows Django's English default ("alarm source") to a Chinese user."""
    english = sorted(f"{where}: {term!r}" for term, where in _terms().items() if not CJK.search(term))
    assert not english
