"""Every page of portal/, found from the files (a page added tomorrow is audited without anyone listing
it here), in Vietnamese and in English, at a phone's 360 px and a computer's 1280 px: no serious or
critical axe-core violation, nothing wider than the screen. In Vietnamese also as a reader who zooms
(200 % of a 1280 px window: 640 CSS px at two device pixels each) or only enlarges the text (the
browser's font size at 200 %): nothing sticks out sideways, and each page's screenshot is kept in
build/screenshots/ for a person to look at (cut-off or overlapping content).

The states that need data (documents uploaded, a supplement asked for, a dialog open, an error
summary shown) are the journeys' (test_accessibility.py, test_citizen_journeys.py,
test_officials.py, test_keyboard.py), which run the same audit at each step."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from infra.portal_build import PORTAL, pages
from infra.tokens import mint
from tests.browser.audit import Audit, settled
from tests.browser.officials import submitted_dossier
from tests.conftest import ROOT
from tests.http.journeys import procedure

pytestmark = pytest.mark.browser

PAGES = [path.relative_to(PORTAL).as_posix() for path in pages()]
SCREENSHOTS = ROOT / "build" / "screenshots"
SIGN_IN = "can-bo/dang-nhap.html"
# What a page is opened with when a bare visit would show only "which one?": the address a citizen or
# an official follows to it. A page not named here is opened bare.
VISITS = {
    "thu-tuc.html": "?ma={procedure}",
    "nop-ho-so.html": "?ma={procedure}",
    "tra-cuu.html": "?ma={code}",
    "thanh-toan.html": "#ket-qua=khong-hop-le",
    "can-bo/ho-so.html": "?ma={code}",
    "can-bo/thong-ke.html": "?from={month}&to={month}",
}
# the console's pages are seen signed in (as an official who may do everything), its sign-in page not
SESSION = """(token) => {
  const path = location.pathname;
  if (path === "/can-bo/dang-nhap.html") sessionStorage.removeItem("dvc.official.token");
  else if (path.startsWith("/can-bo/")) sessionStorage.setItem("dvc.official.token", token);
}"""
# The page's own requests, counted from before its scripts run: a page is ready once none has been in
# flight for 100 ms (Playwright's "networkidle" waits 500 ms, on each of the walk's 26 page loads).
REQUESTS = """(() => {
  const state = { pending: 0, last: performance.now() };
  window.__requests = state;
  const fetch = window.fetch;
  window.fetch = (...args) => {
    state.pending += 1;
    state.last = performance.now();
    return fetch(...args).finally(() => {
      state.pending -= 1;
      state.last = performance.now();
    });
  };
})()"""
QUIET = "() => window.__requests.pending === 0 && performance.now() - window.__requests.last > 100"
WIDTHS = (1280, 360)
ZOOMED = 640  # a 1280 px window at 200 % zoom lays the page out in 640 CSS px


def test_the_walk_finds_every_page_of_the_portal():
    assert {"index.html", "thu-tuc.html", "can-bo/index.html", "can-bo/ho-so.html", "404.html"} <= set(PAGES)
    assert not set(VISITS) - set(PAGES), "a visit names a page that is gone"


@pytest.fixture(scope="module")
def walk_data(stack: Any, api: Any) -> dict[str, str]:
    proc = procedure(api, "Đăng ký kết hôn")  # every table of the procedure page: ways, documents, laws
    dossier = submitted_dossier(api, proc)  # with documents, so the console shows its files table
    return {
        "procedure": proc["code"],
        "code": dossier["code"],
        "month": datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%Y-%m"),
        "token": mint(proc["agency"]["code"], ["receiver", "handler", "leader"], name="Lê Văn Kiểm"),
    }


def open_page(page: Page, path: str, data: dict[str, str], lang: str) -> None:
    page.goto("/" + path + VISITS.get(path, "").format(**data))
    page.wait_for_function(QUIET, polling=25)
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("main h1").first).to_be_visible()
    expect(page.locator("[aria-busy=true], .loading")).to_have_count(0)


def resize(page: Page, width: int, height: int = 900) -> None:
    page.set_viewport_size({"width": width, "height": height})
    settled(page)


def shot(page: Page, path: str, view: str) -> None:
    """The whole page, in a viewport as tall as the page (Playwright's full-page capture would reset the
    browser's font sizes, and with them the text-size view)."""
    name = re.sub(r"\W+", "-", path.removesuffix(".html"))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    viewport = page.viewport_size or {"width": 1280, "height": 900}
    height = page.evaluate("document.documentElement.scrollHeight")
    page.set_viewport_size({"width": viewport["width"], "height": height})
    settled(page)
    # one pixel per CSS pixel, but for the zoomed view: two, as the reader's 1280 px window shows it
    page.screenshot(
        path=str(SCREENSHOTS / f"{view}-{name}.png"), scale="device" if view == "zoom-200" else "css"
    )
    page.set_viewport_size(viewport)


@pytest.mark.parametrize("path", PAGES)
def test_every_page_in_both_languages_at_both_widths(path, contexts, walk_data):
    audit = Audit(also_at=())  # the widths are this test's own
    for lang in ("vi", "en"):
        # two device pixels per CSS pixel, as a phone's screen and a zoomed window have them
        context = contexts(device_scale_factor=2 if lang == "vi" else 1)
        context.add_init_script(REQUESTS)
        context.add_init_script(f"localStorage.setItem('dvc.lang', '{lang}')")
        context.add_init_script(f"({SESSION})({walk_data['token']!r})")
        page = context.new_page()
        open_page(page, path, walk_data, lang)
        for width in WIDTHS:
            resize(page, width)
            audit.check(page, path)
        if lang == "vi":
            zoom_and_text_size(page, path, audit)
    audit.assert_clean()


def zoom_and_text_size(page: Page, path: str, audit: Audit) -> None:
    """200 % zoom (WCAG 1.4.10 reflow) and text alone at 200 % (1.4.4 resize text)."""
    shot(page, path, "360")
    resize(page, ZOOMED, 450)
    audit.check(page, f"{path} (zoom 200 %)")
    shot(page, path, "zoom-200")
    resize(page, 1280)
    cdp = page.context.new_cdp_session(page)
    # the browser's font-size setting, as a reader sets it: rem and em (media queries too) follow it
    cdp.send("Page.setFontSizes", {"fontSizes": {"standard": 32, "fixed": 26}})
    settled(page)
    assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "32px"
    audit.check(page, f"{path} (text 200 %)")
    shot(page, path, "text-200")
    cdp.send("Page.setFontSizes", {"fontSizes": {"standard": 16, "fixed": 13}})
    cdp.detach()
