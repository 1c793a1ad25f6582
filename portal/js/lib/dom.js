// A tiny element builder: h("p", { class: "x", i18n: "key", args: {...} }, child, ...).
import { localize, localizeAttrs } from "./i18n.js";

export const $ = (selector, root = document) => root.querySelector(selector);
export const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];

export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  const { i18n, args, i18nAttr, text, ...rest } = props ?? {};
  for (const [name, value] of Object.entries(rest)) {
    if (value == null || value === false) continue;
    if (name === "class") el.className = value;
    else if (name === "dataset") Object.assign(el.dataset, value);
    else if (name.startsWith("on") && typeof value === "function") el.addEventListener(name.slice(2).toLowerCase(), value);
    else if (name in el && typeof value !== "string" && name !== "list") el[name] = value;
    else el.setAttribute(name, value === true ? "" : value);
  }
  if (i18n) localize(el, i18n, args);
  else if (text != null) el.textContent = text;
  if (i18nAttr) localizeAttrs(el, i18nAttr, args);
  el.append(...children.flat(Infinity).filter((c) => c != null && c !== false));
  return el;
}

/** Replace an element's children, leaving out the null and false of conditional parts. */
export function fill(el, ...children) {
  el.replaceChildren(...children.flat(Infinity).filter((c) => c != null && c !== false));
  return el;
}

export function clear(el) {
  el.replaceChildren();
  return el;
}

/** A button at work (saving, sending): it says so (aria-disabled, drawn dimmed) and ignores presses, but
 *  keeps the focus; `disabled` would drop the focus to the page's start, and a screen reader with it. */
export function setBusy(button, busy) {
  if (busy) button.setAttribute("aria-disabled", "true");
  else button.removeAttribute("aria-disabled");
}

export function isBusy(button) {
  return button.getAttribute("aria-disabled") === "true";
}

export function params() {
  return new URLSearchParams(location.search);
}

/** `#id=...&thanh-toan=...` as a URLSearchParams. */
export function fragment() {
  return new URLSearchParams(location.hash.replace(/^#/, ""));
}

export function debounce(fn, wait) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), wait);
  };
}
