// Vietnamese by default, English on request: every label and message lives in js/i18n/*.js as
// [Vietnamese, English]. Elements carry data-i18n (text) and data-i18n-attr ("attr:key;attr:key"),
// with data-i18n-args (JSON) for placeholders, so switching language re-translates the page in place.
import { common } from "../i18n/common.js";
import { citizen } from "../i18n/citizen.js";
import { officials } from "../i18n/officials.js";

const STORAGE_KEY = "dvc.lang";
const LANGS = ["vi", "en"];
const table = { ...common, ...citizen, ...officials };

function stored() {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

let current = LANGS.includes(stored()) ? stored() : "vi";
const listeners = new Set();

export function lang() {
  return current;
}

/** The message `key` in the current language; `{name}` placeholders are filled from `args`.
 *  An argument may itself be `{ $t: key, args }`, translated in turn (a status inside a sentence). */
export function t(key, args = {}) {
  const entry = table[key];
  if (!entry) {
    console.warn(`i18n: missing key ${key}`);
    return key;
  }
  const text = entry[current === "en" ? 1 : 0] ?? entry[0];
  return text.replace(/\{(\w+)\}/g, (_, name) => {
    const value = args?.[name];
    if (value == null) return "";
    if (typeof value === "object" && value.$t) return t(value.$t, value.args);
    return String(value);
  });
}

export function has(key) {
  return Object.hasOwn(table, key);
}

function argsOf(el) {
  const raw = el.dataset.i18nArgs;
  if (!raw) return {};
  try {
    return JSON.parse(raw);
  } catch {
    return {};
  }
}

/** Mark an element as translated text (and fill it now). */
export function localize(el, key, args) {
  el.dataset.i18n = key;
  if (args && Object.keys(args).length) el.dataset.i18nArgs = JSON.stringify(args);
  else delete el.dataset.i18nArgs;
  el.textContent = t(key, args);
  return el;
}

/** Mark attributes of an element as translated: `{ "aria-label": "key" }`. */
export function localizeAttrs(el, attrs, args) {
  const spec = Object.entries(attrs).map(([attr, key]) => `${attr}:${key}`).join(";");
  el.dataset.i18nAttr = spec;
  if (args && Object.keys(args).length) el.dataset.i18nArgs = JSON.stringify(args);
  for (const [attr, key] of Object.entries(attrs)) el.setAttribute(attr, t(key, args));
  return el;
}

export function translate(root = document) {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n, argsOf(el));
  for (const el of root.querySelectorAll("[data-i18n-attr]")) {
    const args = argsOf(el);
    for (const pair of el.dataset.i18nAttr.split(";")) {
      const [attr, key] = pair.split(":");
      if (attr && key) el.setAttribute(attr.trim(), t(key.trim(), args));
    }
  }
  document.documentElement.lang = current;
}

export function setLang(next) {
  if (!LANGS.includes(next) || next === current) return;
  current = next;
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    /* private mode: the choice lasts for this page only */
  }
  translate();
  for (const listener of listeners) listener(current);
}

export function onLangChange(listener) {
  listeners.add(listener);
}
