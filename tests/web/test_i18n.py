"""Chinese first, English available: the English catalogue is complete, and the pages switch language by
cookie, by Accept-Language and through Django's set_language view."""

from __future__ import annotations

import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

PO_PATH = Path(settings.BASE_DIR) / "landguard" / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")

# Strings of the navigation in base.html, in both languages (the catalogue's English, see docs/glossary.md).
NAV = {"首页": "Home", "地图": "Map", "统计": "Statistics", "田长": "Field chiefs", "退出登录": "Sign out"}
PLATFORM = {"zh-hans": "耕地保护与用地保障平台", "en": "Farmland Protection and Land Supply Platform"}

PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdif]|%[sdif]|\{\w*\}")
HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*")


# --- a minimal .po reader (polib is not a dependency) ---------------------------------------------------


@dataclass
class PoEntry:
    line: int
    flags: set[str] = field(default_factory=set)
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # 0 for a singular msgstr; n for msgstr[n]


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")\s*$')


def _unquote(quoted: str) -> str:
    assert quoted.startswith('"') and quoted.endswith('"'), quoted
    return re.sub(r"\\(.)", lambda m: _ESCAPES[m.group(1)], quoted[1:-1])


def parse_po(text: str) -> list[PoEntry]:
    """Every entry of a .po file, the header (msgid "") included; obsolete (#~) entries are skipped."""
    entries: list[PoEntry] = []
    current: PoEntry | None = None
    target: tuple[str, int] | None = None

    def start(number: int) -> PoEntry:
        entry = PoEntry(line=number)
        entries.append(entry)
        return entry

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            current, target = None, None
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#,"):
            if current is None or target is not None:
                current, target = start(number), None
            current.flags.update(flag.strip() for flag in line[2:].split(",") if flag.strip())
            continue
        if line.startswith("#"):
            if current is None or target is not None:
                current, target = start(number), None
            continue
        if match := _KEYWORD.match(line):
            keyword, index, value = match.group(1), match.group(2), _unquote(match.group(3))
            if current is None or (keyword in ("msgctxt", "msgid") and target is not None and target[0] == "msgstr"):
                current = start(number)
            if keyword == "msgctxt":
                current.msgctxt, target = value, ("msgctxt", 0)
            elif keyword == "msgid":
                current.msgid, target = value, ("msgid", 0)
            elif keyword == "msgid_plural":
                current.msgid_plural, target = value, ("msgid_plural", 0)
            else:
                n = int(index) if index is not None else 0
                current.msgstr[n], target = value, ("msgstr", n)
            continue
        assert line.startswith('"') and current is not None and target is not None, f"line {number}: {raw!r}"
        kind, n = target
        if kind == "msgstr":
            current.msgstr[n] += _unquote(line)
        else:
            setattr(current, kind, (getattr(current, kind) or "") + _unquote(line))
    return entries


@pytest.fixture(scope="module")
def catalogue() -> list[PoEntry]:
    return parse_po(PO_PATH.read_text(encoding="utf-8"))


def _messages(catalogue: list[PoEntry]) -> list[PoEntry]:
    return [entry for entry in catalogue if entry.msgid != ""]


def _where(entry: PoEntry) -> str:
    return f"django.po:{entry.line} {entry.msgid!r}"


# --- (a) the catalogue ------------------------------------------------------------------------------------


def test_parser_reads_the_whole_catalogue(catalogue):
    messages = _messages(catalogue)
    assert len(messages) > 300
    assert len({(e.msgctxt, e.msgid) for e in messages}) == len(messages), "duplicate msgids"
    assert len(re.findall(r"^msgid ", PO_PATH.read_text(encoding="utf-8"), flags=re.M)) == len(catalogue)
    assert any(e.msgid_plural for e in messages)


def test_catalogue_header_is_english_utf8_with_two_plural_forms(catalogue):
    header = next(entry for entry in catalogue if entry.msgid == "")
    assert "fuzzy" not in header.flags  # a fuzzy header is ignored by msgfmt: charset and plural forms lost
    fields = dict(line.split(": ", 1) for line in header.msgstr[0].splitlines() if ": " in line)
    assert fields["Language"] == "en"
    assert fields["Content-Type"] == "text/plain; charset=UTF-8"
    assert fields["Plural-Forms"] == "nplurals=2; plural=(n != 1);"


def test_catalogue_has_no_untranslated_or_fuzzy_entries(catalogue):
    untranslated = [_where(e) for e in _messages(catalogue)
                    if not e.msgstr or not all(text.strip() for text in e.msgstr.values())]
    fuzzy = [_where(e) for e in catalogue if "fuzzy" in e.flags]
    assert not untranslated, f"untranslated: {untranslated}"
    assert not fuzzy, f"fuzzy: {fuzzy}"


def test_plural_entries_have_both_forms(catalogue):
    for entry in _messages(catalogue):
        if entry.msgid_plural is not None:
            assert sorted(entry.msgstr) == [0, 1], _where(entry)
        else:
            assert sorted(entry.msgstr) == [0], _where(entry)


def test_translations_keep_placeholders_newlines_and_tags(catalogue):
    for entry in _messages(catalogue):
        sources = {0: entry.msgid, 1: entry.msgid_plural if entry.msgid_plural is not None else entry.msgid}
        for n, translated in entry.msgstr.items():
            source = sources[n]
            assert sorted(PLACEHOLDER.findall(translated)) == sorted(PLACEHOLDER.findall(source)), _where(entry)
            assert translated.startswith("\n") == source.startswith("\n"), _where(entry)
            assert translated.endswith("\n") == source.endswith("\n"), _where(entry)
            if tags := HTML_TAG.findall(source):
                assert sorted(HTML_TAG.findall(translated)) == sorted(tags), _where(entry)
        if "python-format" in entry.flags:
            assert PLACEHOLDER.search(entry.msgid), f"python-format without a placeholder: {_where(entry)}"


def test_translations_follow_the_glossary(catalogue):
    english = {e.msgid: e.msgstr[0] for e in _messages(catalogue)}
    assert english["乡镇（街道）"] == "Township (subdistrict)"
    assert english["合成演示数据"] == "Synthetic demo data"
    assert english["亩"] == "mu" and english["公顷"] == "ha"
    assert english["乡镇自然资源所"] == "Township natural-resources office"
    assert english["田长"] == "Field chiefs" and english["网格田长"] == "Grid field chief"
    # Every string that names a 田长 says "field chief"; every 区划代码 is a "division code".
    for msgid, msgstr in english.items():
        if "田长" in msgid:
            assert "field chief" in msgstr.lower(), msgid
        if "区划代码" in msgid:
            assert "division code" in msgstr.lower(), msgid


def test_compiled_catalogue_matches_the_po_file(catalogue):
    """The .mo (gitignored; `make setup` runs compilemessages) must be rebuilt after the .po changes."""
    assert MO_PATH.exists(), "run: manage.py compilemessages --ignore=.venv --ignore=node_modules"
    with MO_PATH.open("rb") as fp:
        compiled = gettext.GNUTranslations(fp)
    stale = []
    for entry in _messages(catalogue):
        if entry.msgid_plural is None:
            got = [compiled.gettext(entry.msgid) if entry.msgctxt is None
                   else compiled.pgettext(entry.msgctxt, entry.msgid)]
            want = [entry.msgstr[0]]
        else:
            got = [compiled.ngettext(entry.msgid, entry.msgid_plural, n) for n in (1, 2)]
            want = [entry.msgstr[0], entry.msgstr[1]]
        if got != want:
            stale.append(entry.msgid)
    assert not stale, f"django.mo is out of date (run compilemessages): {stale[:5]}"


# --- (b), (c) the pages -----------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _restore_active_language():
    """LocaleMiddleware activates a language for the thread and never resets it; don't leak English into
    tests that run later in the session."""
    previous = translation.get_language()
    yield
    if previous:
        translation.activate(previous)
    else:
        translation.deactivate()


def _text(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def _assert_chinese(text: str) -> None:
    assert '<html lang="zh-CN"' in text
    assert PLATFORM["zh-hans"] in text
    for chinese, english in NAV.items():
        assert f">{chinese}</a>" in text or f">{chinese}</button>" in text, chinese
        assert f">{english}</" not in text, english


def _assert_english(text: str) -> None:
    assert '<html lang="en"' in text
    assert PLATFORM["en"] in text and PLATFORM["zh-hans"] not in text
    for chinese, english in NAV.items():
        assert f">{english}</a>" in text or f">{english}</button>" in text, english
        assert f">{chinese}</" not in text, chinese


PAGES = ["web:dashboard", "web:map"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGES)
def test_pages_are_chinese_by_default(client_for, county_admin, name):
    text = _text(client_for(county_admin).get(reverse(name)))
    _assert_chinese(text)
    assert {"web:dashboard": "统计分析", "web:map": "行政区地图"}[name] in text


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGES)
def test_pages_are_english_with_the_language_cookie(client_for, county_admin, name):
    assert settings.LANGUAGE_COOKIE_NAME == "django_language"
    client = client_for(county_admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse(name))
    text = _text(response)
    _assert_english(text)
    assert response["Content-Language"] == "en"
    assert {"web:dashboard": "Statistics and analysis", "web:map": "Region map"}[name] in text
    if name == "web:map":
        assert '"zoomIn": "Zoom in"' in text  # the map's UI strings, handed to map.js as JSON


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGES)
def test_pages_follow_accept_language(client_for, county_admin, name):
    client = client_for(county_admin)
    _assert_english(_text(client.get(reverse(name), headers={"accept-language": "en-US,en;q=0.9"})))
    _assert_chinese(_text(client.get(reverse(name), headers={"accept-language": "zh-CN,zh;q=0.9,en;q=0.8"})))
    # An explicit choice (the cookie) wins over the browser's preference.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    _assert_chinese(_text(client.get(reverse(name), headers={"accept-language": "en"})))


@pytest.mark.django_db
def test_language_form_in_the_shell_posts_to_set_language(client_for, county_admin):
    text = _text(client_for(county_admin).get(reverse("web:dashboard")))
    assert f'action="{reverse("set_language")}"' in text
    assert '<option value="zh-hans" lang="zh-hans" selected>简体中文</option>' in text
    assert '<option value="en" lang="en">English</option>' in text  # each language named in itself


@pytest.mark.django_db
def test_set_language_switches_to_english_and_back(client_for, county_admin):
    client = client_for(county_admin)
    dashboard = reverse("web:dashboard")
    assert reverse("set_language") == "/i18n/setlang/"

    response = client.post("/i18n/setlang/", {"language": "en", "next": dashboard})
    assert response.status_code == 302 and response["Location"] == dashboard
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    text = _text(client.get(dashboard))
    _assert_english(text)
    assert '<option value="en" lang="en" selected>English</option>' in text
    _assert_english(_text(client.get(reverse("web:map"))))  # the choice sticks across pages

    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": dashboard})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    _assert_chinese(_text(client.get(dashboard)))


@pytest.mark.django_db
def test_set_language_ignores_unknown_languages_and_foreign_redirects(client_for, county_admin):
    client = client_for(county_admin)
    response = client.post("/i18n/setlang/", {"language": "xx", "next": reverse("web:dashboard")})
    assert response.status_code == 302
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    # A language Django itself knows but LANGUAGES does not offer gets its cookie, and is then ignored.
    client.post("/i18n/setlang/", {"language": "fr", "next": reverse("web:dashboard")})
    _assert_chinese(_text(client.get(reverse("web:dashboard"))))

    response = client.post("/i18n/setlang/", {"language": "en", "next": "https://evil.example/"})
    assert response.status_code == 302 and "evil.example" not in response["Location"]


@pytest.mark.django_db
def test_model_labels_translate_outside_requests(county_admin):
    """Choices and messages built with gettext_lazy follow the active language too (exports, API)."""
    from landguard.people.models import FieldChief, OrgUnit

    with translation.override("en"):
        assert str(OrgUnit.Kind.TOWNSHIP_OFFICE.label) == "Township natural-resources office"
        assert str(FieldChief.Level.VILLAGE.label) == "Village field chief"
        assert county_admin.get_role_display() == "Administrator"
    with translation.override("zh-hans"):
        assert str(FieldChief.Level.VILLAGE.label) == "村级田长"
