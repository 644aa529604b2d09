"""Every HTML page of the access walk on a 390 px phone, in Chinese and in English: nothing scrolls sideways and
every map on it has a size and a drawn canvas.

The sample URLs come from tests/browser/page_samples.py (the walk's SAMPLES fed with the demo's own objects in
清泉街道), read in a subprocess from the server's database. Each persona gets one tab per language (the language
cookie); a URL is first fetched through the tab's request context and only loaded as a page when it answers
200 text/html (API, JSON, tiles and downloads are left out by their Content-Type). All failures are collected
into one message, route + persona + language + measured width, with a screenshot of each failing page.
"""

from __future__ import annotations

import base64
import json
import re
import time
from pathlib import Path

import pytest
from browser_helpers import MAP_BACKGROUND, PAGE_BACKGROUND

from landguard.demo.personas import COUNTY_ADMIN, TOWNSHIP_OFFICER

pytestmark = pytest.mark.browser

WIDTH = 390
PHONE = {"viewport": {"width": WIDTH, "height": 844}, "is_mobile": True, "has_touch": True}
LANGUAGES = ("zh-hans", "en")
PERSONAS = (COUNTY_ADMIN, TOWNSHIP_OFFICER)
MAPS = ".map, .maplibregl-map, .leaflet-container, [data-map]"
# Pages that stream or redirect away by design (logout ends the session the other pages need).
SKIP = {"web:logout", "logout"}

MEASURE = """async (selector) => {
    const maps = () => [...document.querySelectorAll(selector)].filter((el) => el.getClientRects().length > 0);
    // A map draws into its canvas once its script ran: give MapLibre a moment (SwiftShader) before judging.
    for (let i = 0; i < 40 && maps().some((el) => !el.querySelector('canvas, .leaflet-pane')); i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const width = document.documentElement.clientWidth;
    const scrollWidth = document.scrollingElement.scrollWidth;
    // What sticks out, when something does: the outermost elements past the edge that no ancestor scrolls or clips.
    const clipped = (el) => {
        for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
            if (getComputedStyle(up).overflowX !== 'visible') return true;
        }
        return false;
    };
    const wide = scrollWidth <= width + 1 ? [] : [...document.body.querySelectorAll('*')]
        .filter((el) => el.getBoundingClientRect().right > width + 1 && getComputedStyle(el).position !== 'fixed'
                && !clipped(el))
        .filter((el, _, all) => !all.includes(el.parentElement))
        .slice(0, 4)
        .map((el) => {
            const classes = typeof el.className === 'string' ? el.className.trim().split(/\\s+/).join('.') : '';
            return el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (classes ? '.' + classes : '')
                + ` (${Math.round(el.getBoundingClientRect().right)}px)`;
        });
    const all = [...document.querySelectorAll(selector)];
    const found = maps().map((el) => {
        const box = el.getBoundingClientRect();
        const canvas = el.querySelector('canvas');
        return { index: all.indexOf(el), name: el.id || el.className, width: Math.round(box.width),
                 height: Math.round(box.height),
                 canvas: canvas ? canvas.width > 0 && canvas.height > 0 : !!el.querySelector('.leaflet-pane') };
    });
    return { scrollWidth, width, wide, maps: found };
}"""

# Share of a map's middle (its inner 60 %, clear of the zoom buttons and the scale bar) that is not background.
CENTRE_INK = """async ([b64, backgrounds]) => {
    const img = new Image();
    img.src = 'data:image/png;base64,' + b64;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
    const ctx = canvas.getContext('2d');
    ctx.drawImage(img, 0, 0);
    const x = Math.round(canvas.width * .2), y = Math.round(canvas.height * .2);
    const d = ctx.getImageData(x, y, Math.round(canvas.width * .6), Math.round(canvas.height * .6)).data;
    let ink = 0;
    for (let i = 0; i < d.length; i += 4) {
        const near = ([r, g, b]) => Math.abs(d[i] - r) + Math.abs(d[i + 1] - g) + Math.abs(d[i + 2] - b) <= 12;
        if (!backgrounds.some(near)) ink++;
    }
    return ink / (d.length / 4);
}"""
BACKGROUNDS = [list(MAP_BACKGROUND), list(PAGE_BACKGROUND), [255, 255, 255]]
DRAW_TIMEOUT = 8.0  # s for a map to show anything (MapLibre on SwiftShader)


def _map_problems(page, measured: dict) -> list[str]:
    """Each visible map has a size, a canvas, and ink in its middle (outlines, fills or tiles) within DRAW_TIMEOUT."""
    problems = []
    for found in measured["maps"]:
        name = f"map {found['name']}"
        if found["width"] < 1 or found["height"] < 1:
            problems.append(f"{name} is {found['width']}×{found['height']} px")
            continue
        if not found["canvas"]:
            problems.append(f"{name} has no canvas")
            continue
        element = page.locator(MAPS).nth(found["index"])
        deadline, ink = time.monotonic() + DRAW_TIMEOUT, 0.0
        while ink <= 0.005 and time.monotonic() < deadline:
            png = element.screenshot(animations="disabled")
            ink = page.evaluate(CENTRE_INK, [base64.b64encode(png).decode(), BACKGROUNDS])
            if ink <= 0.005:
                time.sleep(0.3)
        if ink <= 0.005:
            problems.append(f"{name} draws nothing ({ink:.2%} of its middle differs from the background)")
    return problems


def _is_page(response) -> bool:
    return response.status == 200 and response.headers.get("content-type", "").startswith("text/html")


def test_every_page_fits_a_phone_and_its_maps_draw(open_tab, server_url, server_script, artifacts):
    samples = json.loads(server_script(Path(__file__).with_name("page_samples.py")))
    samples = [s for s in samples if s["route"] not in SKIP and "logout" not in s["path"]]
    for old in artifacts.glob("at390-*.png"):  # only this run's failures
        old.unlink()
    assert len(samples) > 50, f"only {len(samples)} sample URLs: page_samples.py found too little"
    failures: list[str] = []
    loads = 0
    for username in PERSONAS:
        pages: list[dict[str, str]] | None = None
        for language in LANGUAGES:
            tab = open_tab(username, **PHONE)
            tab.context.add_cookies([{"name": "django_language", "value": language, "url": server_url}])
            page = tab.page
            if pages is None:  # what is an HTML page for this persona: once, whatever the language
                pages = [s for s in samples if _is_page(tab.context.request.get(s["path"], max_redirects=0))]
            for sample in pages:
                label = f"{sample['route']} {sample['path']} — {username} — {language}"
                try:
                    response = page.goto(sample["path"], wait_until="load")
                except Exception as error:  # noqa: BLE001 — a page that cannot load is a finding, the loop goes on
                    failures.append(f"{label}: did not load ({str(error).splitlines()[0]})")
                    continue
                loads += 1
                measured = page.evaluate(MEASURE, MAPS)
                problems = []
                if response is None or response.status != 200:
                    problems.append(f"answered {response.status if response else 'nothing'}")
                if measured["scrollWidth"] > WIDTH + 1:
                    problems.append(f"{measured['scrollWidth']} px wide; past the edge: {', '.join(measured['wide'])}")
                problems += _map_problems(page, measured)
                if problems:
                    failures.append(f"{label}: {'; '.join(problems)}")
                    name = re.sub(r"[^A-Za-z0-9]+", "-", f"{sample['route']}-{username}-{language}").strip("-")
                    page.screenshot(path=str(artifacts / f"at390-{name}.png"), full_page=True)
            tab.context.close()
    assert loads > 40, f"only {loads} pages loaded"
    assert not failures, f"{len(failures)} of {loads} page loads at {WIDTH} px fail:\n" + "\n".join(failures)
