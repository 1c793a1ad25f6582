"""Moving through a page with the keyboard alone, as a person who cannot use a mouse does, checking at
every stop that the focus can be seen: the focused element draws the focus ring (an outline of at
least 2 px, or the ring's shadow) and is on screen."""

from __future__ import annotations

import unicodedata
from typing import Any

from playwright.sync_api import Locator, Page

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const style = getComputedStyle(el);
  const rect = el.getBoundingClientRect();
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
  const ring = style.boxShadow !== "none";
  const label = el.labels && el.labels.length ? el.labels[0].innerText : el.getAttribute("aria-label") || "";
  return {
    tag: el.tagName.toLowerCase(),
    type: el.type || "",
    name: el.getAttribute("name") || "",
    id: el.id,
    checked: Boolean(el.checked),
    value: el.value ?? "",
    text: (el.innerText || "").trim().slice(0, 80),
    label: label.replace(/\\s*\\*\\s*$/, "").trim(),
    ring: outline || ring,
    outline: `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`,
    onScreen: rect.width > 0 && rect.height > 0 && rect.bottom > 0 && rect.top < innerHeight
      && rect.right > 0 && rect.left < innerWidth,
  };
}"""


def focused(page: Page) -> dict[str, Any] | None:
    return page.evaluate(FOCUSED)


def focus_is_visible(page: Page) -> dict[str, Any]:
    """The focused element, which must show the focus ring and be on screen."""
    info = focused(page)
    assert info is not None, f"the focus is lost (on the document's body) at {page.url}"
    where = f"{info['tag']}#{info['id']} «{info['text'] or info['label']}» at {page.url}"
    assert info["ring"], f"the focus cannot be seen on {where} (outline {info['outline']})"
    assert info["onScreen"], f"the focused {where} is off screen"
    return info


def press(page: Page, key: str) -> dict[str, Any]:
    """A key that moves the focus (Tab, Shift+Tab, Enter on a link or a button, Escape in a dialog)."""
    page.keyboard.press(key)
    return focus_is_visible(page)


def tab(page: Page, backwards: bool = False) -> dict[str, Any]:
    return press(page, "Shift+Tab" if backwards else "Tab")


def is_focused(target: Any) -> bool:
    return bool(target.evaluate("(el) => el === document.activeElement"))


def tab_to(page: Page, locator: Locator, backwards: bool = False, limit: int = 60) -> dict[str, Any]:
    """Tab (or Shift+Tab) until `locator` has the focus; every stop on the way must show it."""
    target = locator.element_handle()
    seen = []
    for _ in range(limit):
        info = tab(page, backwards)
        if is_focused(target):
            return info
        seen.append(f"{info['tag']} «{info['text'] or info['label'] or info['name']}»")
    raise AssertionError(f"{limit} presses of Tab did not reach {locator}: {'; '.join(seen[-10:])}")


def without_marks(text: str) -> str:
    """What someone types on a keyboard without Vietnamese input: no diacritics, đ as d."""
    plain = unicodedata.normalize("NFD", text).replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in plain if unicodedata.category(c) != "Mn")
