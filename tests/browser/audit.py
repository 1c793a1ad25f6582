"""The accessibility audit every browser test shares: axe-core (no violation of impact "serious" or
"critical") and reflow (nothing wider than the screen). The page walk (test_every_page.py) calls it on
every page of portal/; the journeys call it at each step they reach (errors shown, dialogs open,
documents uploaded). Each state audited is written to test-artifacts/accessibility-audit.json."""

from __future__ import annotations

import json
from typing import Any

from playwright.sync_api import Page

from tests.conftest import ARTIFACTS, ROOT

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
IMPACTS = ("serious", "critical")
# every state audited in this process, with what was found: the report the package's teardown writes
AUDITED: list[dict[str, Any]] = []
REPORT = ARTIFACTS / "accessibility-audit.json"

# Elements that stick out of the viewport, sideways. Not counted: what is not drawn (hidden, no size,
# clipped away as .visually-hidden is), what lives inside a box that scrolls or clips sideways (a wide
# table in its keyboard-scrollable region: WCAG 1.4.10 lets data tables scroll), and the skip link
# parked above the page until focused.
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  const clips = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const x = getComputedStyle(p).overflowX;
      if (x === "auto" || x === "scroll" || x === "hidden" || x === "clip") return true;
    }
    return false;
  };
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (el.classList.length ? "." + [...el.classList].join(".") : "");
  for (const el of document.body.querySelectorAll("*")) {
    const rect = el.getBoundingClientRect();
    if (!rect.width || !rect.height) continue;
    const style = getComputedStyle(el);
    if (style.visibility === "hidden" || style.position === "fixed") continue;
    if (style.clipPath && style.clipPath !== "none") continue;
    if (el.closest(".skip-link, .visually-hidden, dialog:not([open])")) continue;
    if (rect.right > width + 1 || rect.left < -1) {
      if (clips(el)) continue;
      out.push(`${name(el)} spans ${Math.round(rect.left)}..${Math.round(rect.right)} px of ${width}`);
    }
  }
  const scroll = document.documentElement.scrollWidth;
  if (scroll > width + 1) out.unshift(`the page scrolls sideways: ${scroll} px wide in ${width}`);
  return out.slice(0, 8);
}"""


def serious_violations(page: Page) -> list[dict[str, Any]]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # evaluated by the test driver, so the page keeps its content security policy (no inline script)
        page.evaluate(AXE.read_text() + "\n;undefined")
    results = page.evaluate("axe.run(document, { resultTypes: ['violations'] })")
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"][:5]],
        }
        for v in results["violations"]
        if v["impact"] in IMPACTS
    ]


def overflowing(page: Page) -> list[str]:
    """What sticks out of the viewport sideways (empty when the page reflows)."""
    return list(page.evaluate(OVERFLOWING))


def settled(page: Page) -> None:
    """Two animation frames: the layout after a resize, and the resize observers' changes, are done."""
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")


class Audit:
    """Runs the audit on each page state and reports them all at the end, not only the first failure.

    A state is audited at the page's own width and, when that is wider, again at each of `also_at` (a
    phone's 360 px by default: a dialog or an error summary must fit there too), the page then put back
    at its width to go on."""

    def __init__(self, also_at: tuple[int, ...] = (360,)) -> None:
        self.also_at = also_at
        self.results: dict[str, list[Any]] = {}

    def check(self, page: Page, name: str, reflow: bool = True) -> None:
        viewport = page.viewport_size or {"width": 1280, "height": 900}
        self.one(page, name, reflow)
        narrower = [width for width in self.also_at if width < viewport["width"]]
        for width in narrower:
            page.set_viewport_size({"width": width, "height": viewport["height"]})
            settled(page)
            self.one(page, name, reflow)
        if narrower:
            page.set_viewport_size(viewport)
            settled(page)

    def one(self, page: Page, name: str, reflow: bool) -> None:
        width = (page.viewport_size or {"width": 0})["width"]
        state = f"{name} @{width}px {page.evaluate('document.documentElement.lang')}"
        found: list[Any] = serious_violations(page)
        if reflow and (sticking_out := overflowing(page)):
            found.append({"id": "reflow", "nodes": sticking_out})
        self.results[state] = found
        AUDITED.append({"state": state, "url": page.url, "found": found})

    def assert_clean(self) -> None:
        failing = {name: found for name, found in self.results.items() if found}
        assert not failing, json.dumps(failing, ensure_ascii=False, indent=1)


def write_report() -> None:
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    failing = [entry for entry in AUDITED if entry["found"]]
    REPORT.write_text(
        json.dumps(
            {"states": len(AUDITED), "failing": len(failing), "audited": AUDITED},
            ensure_ascii=False,
            indent=1,
        )
    )
