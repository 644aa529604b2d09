"""The shell as people see it: Chinese glyphs really render, the language switch works, phones get a usable
menu and no sideways scrolling."""

from __future__ import annotations

import re

import pytest
from browser_helpers import wait_for_map

from landguard.demo.personas import COUNTY_ADMIN, TOWNSHIP_OFFICER

pytestmark = pytest.mark.browser

HAN = re.compile(r"[\u3400-\u9fff]")
CJK_FAMILY = re.compile(r"CJK|Source Han|WenQuanYi|PingFang|YaHei|Hiragino|Droid Sans Fallback", re.I)


def _platform_fonts(tab, selector: str) -> list[dict]:
    """The fonts Chromium actually used for the text of one element (DevTools CSS.getPlatformFontsForNode)."""
    cdp = tab.context.new_cdp_session(tab.page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    assert node, f"no element {selector}"
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    cdp.detach()
    return fonts


def test_chinese_text_renders_with_a_cjk_font_not_tofu(open_tab, artifacts):
    tab = open_tab(COUNTY_ADMIN)
    page = tab.page
    page.goto("/")
    page.evaluate("document.fonts.ready.then(() => true)")
    page.locator(".topbar").screenshot(path=str(artifacts / "glyphs-topbar.png"))
    page.locator(".page-head").screenshot(path=str(artifacts / "glyphs-heading.png"))

    # 1. The page asks for a CJK family first, and Chromium really drew each Chinese text with one.
    family = page.evaluate("getComputedStyle(document.querySelector('main h1')).fontFamily")
    assert family.split(",")[0].strip().strip('"') == "Noto Sans CJK SC", family
    for selector in ("main h1", ".brand-name", ".nav-links a[href='/map/']", ".synthetic-banner span:last-child"):
        text = page.locator(selector).inner_text()
        assert HAN.search(text), f"{selector} holds no Chinese: {text!r}"
        fonts = _platform_fonts(tab, selector)
        assert fonts, f"Chromium reports no font for {selector}"
        assert all(CJK_FAMILY.search(f["familyName"]) for f in fonts), f"{selector} ({text!r}) drawn with {fonts}"
        han_count = len(HAN.findall(text))
        assert sum(f["glyphCount"] for f in fonts) >= han_count, fonts

    # 2. The same font on a canvas: two different characters give two different bitmaps, each with ink, and
    # neither looks like the font's missing-glyph box (tofu boxes all look alike).
    bitmaps = page.evaluate("""(family) => {
        const draw = (ch) => {
            const c = document.createElement('canvas'); c.width = 72; c.height = 72;
            const ctx = c.getContext('2d');
            ctx.font = `56px ${family}`; ctx.textBaseline = 'top'; ctx.fillStyle = '#000';
            ctx.fillText(ch, 8, 6);
            const d = ctx.getImageData(0, 0, 72, 72).data, bits = [];
            for (let i = 3; i < d.length; i += 4) bits.push(d[i] > 127 ? 1 : 0);
            return { bits, width: ctx.measureText(ch).width };
        };
        return { guan: draw('冠'), xian: draw('县'), tian: draw('田'), missing: draw('\\u{10FFFD}') };
    }""", family)

    def ink(name):
        return sum(bitmaps[name]["bits"])

    def distance(a, b):
        return sum(x != y for x, y in zip(bitmaps[a]["bits"], bitmaps[b]["bits"], strict=True))

    for name in ("guan", "xian", "tian"):
        assert ink(name) > 150, f"{name} drew almost nothing ({ink(name)} px)"
        assert abs(bitmaps[name]["width"] - 56) < 3, f"{name} is not a full-width glyph: {bitmaps[name]['width']}"
        assert distance(name, "missing") > 150, f"{name} looks like the missing-glyph box"
    assert distance("guan", "xian") > 150 and distance("guan", "tian") > 150 and distance("xian", "tian") > 150
    tab.assert_no_js_errors()


def test_language_switch_shows_english_labels_and_switches_back(open_tab, artifacts):
    tab = open_tab(COUNTY_ADMIN)
    page = tab.page
    page.goto("/people/org-units/")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.locator(".nav-links a[href='/']").inner_text() == "首页"

    with page.expect_navigation():
        page.select_option("#lang-select", "en")
    assert page.url.endswith("/people/org-units/"), "the switch returns to the same page"
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("#lang-select").input_value() == "en"
    english_nav = page.locator(".nav-links a").all_inner_texts()
    english_heading = page.locator("main h1").inner_text()
    page.screenshot(path=str(artifacts / "language-en.png"))

    with page.expect_navigation():
        page.select_option("#lang-select", "zh-hans")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.locator(".nav-links a[href='/']").inner_text() == "首页"
    assert page.locator("main h1").inner_text() == "组织机构"

    # Checked last so the switch back is proven even when the English catalogue is missing.
    assert "Home" in english_nav and "Map" in english_nav, f"navigation after switching to English: {english_nav}"
    untranslated = [label for label in english_nav if HAN.search(label)]
    assert not untranslated, f"navigation labels still in Chinese after switching to English: {untranslated}"
    assert not HAN.search(english_heading), f"heading still in Chinese after switching to English: {english_heading!r}"
    tab.assert_no_js_errors()


PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


def _overflow(page) -> dict:
    return page.evaluate("""() => ({
        scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
        wide: [...document.body.querySelectorAll('*')]
              .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1
                      && getComputedStyle(el).position !== 'fixed'
                      && el.closest('.table-wrap, .maplibregl-map') === null)
              .slice(0, 5)
              .map((el) => el.tagName.toLowerCase()
                           + (el.className ? '.' + String(el.className).split(' ').join('.') : '')),
        // Text drawn past the edge of its summary card (over the neighbouring card), which no scrollWidth shows.
        spills: [...document.querySelectorAll('.card')].flatMap((card) => {
            const edge = card.getBoundingClientRect().right;
            return [...card.querySelectorAll('.card-value, .card-label, .card-foot')].flatMap((el) => {
                const range = document.createRange();
                range.selectNodeContents(el);
                const right = range.getBoundingClientRect().right;
                const text = el.innerText.trim().replace(/\\s+/g, ' ');
                return right > edge + 1
                    ? [`${el.className} "${text}" ends at ${Math.round(right)}px, `
                       + `its card at ${Math.round(edge)}px`] : [];
            });
        }),
    })""")


def test_phone_layout_has_a_working_menu_and_no_sideways_scroll(open_tab, artifacts):
    tab = open_tab(COUNTY_ADMIN, **PHONE)
    page = tab.page
    page.goto("/")
    nav, toggle = page.locator("#site-nav"), page.locator(".nav-toggle")
    assert toggle.is_visible() and not nav.is_visible(), "on a phone the menu starts folded behind the toggle"
    assert toggle.get_attribute("aria-expanded") == "false"
    page.screenshot(path=str(artifacts / "phone-home.png"), full_page=True)

    toggle.tap()
    assert nav.is_visible() and toggle.get_attribute("aria-expanded") == "true"
    for href in ("/", "/map/", "/dashboard/", "/people/users/"):
        link = page.locator(f".nav-links a[href='{href}']")
        assert link.is_visible()
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 391 and box["height"] >= 32, f"{href} link box {box}"
    assert page.locator("#lang-select").is_visible() and page.locator(".logout-form button").is_visible()
    page.screenshot(path=str(artifacts / "phone-menu-open.png"))
    overflow = _overflow(page)
    assert overflow["scrollWidth"] <= overflow["innerWidth"] + 1, ("home with the menu open scrolls sideways: "
                                                                   f"{overflow}")

    with page.expect_navigation():
        page.locator(".nav-links a[href='/map/']").tap()
    wait_for_map(page)
    assert not nav.is_visible(), "the menu folds again on the next page"
    page.screenshot(path=str(artifacts / "phone-map.png"))

    problems = {}
    for path in ("/map/", "/", "/dashboard/", "/people/users/", "/people/field-chiefs/", "/regions/"):
        if path != "/map/":
            page.goto(path)
        if path == "/dashboard/":
            page.wait_for_selector("html[data-charts-ready]")
        overflow = _overflow(page)
        if overflow["scrollWidth"] > overflow["innerWidth"] + 1:
            problems[path] = overflow
        name = path.strip("/").replace("/", "-") or "home"
        page.screenshot(path=str(artifacts / f"phone-{name}.png"), full_page=path != "/map/")
    assert not problems, f"pages that scroll sideways on a 390 px phone: {problems}"
    tab.assert_no_js_errors()
    tab.assert_no_failed_requests()


@pytest.mark.parametrize("username", [COUNTY_ADMIN, TOWNSHIP_OFFICER])
def test_phone_summary_cards_fit_their_figures(open_tab, artifacts, username):
    tab = open_tab(username, **PHONE)
    page = tab.page
    spills = {}
    for path in ("/", "/dashboard/"):
        page.goto(path)
        if found := _overflow(page)["spills"]:
            spills[path] = found
    page.goto("/")
    page.locator(".cards").screenshot(path=str(artifacts / f"phone-cards-{username}.png"))
    assert not spills, f"figures spilling out of their cards on a 390 px phone: {spills}"
    tab.assert_no_js_errors()
