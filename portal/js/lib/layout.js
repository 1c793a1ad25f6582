// What every page does on load: translate, wire the language switch, mark the current page in the
// navigation, and offer one polite live region for status announcements.
import { lang, setLang, t, translate, onLangChange } from "./i18n.js";

let announcer;

export function initPage() {
  translate();
  for (const button of document.querySelectorAll("[data-lang-switch]")) {
    const label = () => {
      // the button names the other language, in that language
      button.textContent = lang() === "vi" ? "English" : "Tiếng Việt";
      button.lang = lang() === "vi" ? "en" : "vi";
      button.setAttribute("aria-label", lang() === "vi" ? "Switch to English" : "Chuyển sang tiếng Việt");
    };
    label();
    button.addEventListener("click", () => setLang(lang() === "vi" ? "en" : "vi"));
    onLangChange(label);
  }
  const here = location.pathname.replace(/index\.html$/, "");
  for (const link of document.querySelectorAll(".site-nav a")) {
    const target = new URL(link.href).pathname.replace(/index\.html$/, "");
    if (target === here) link.setAttribute("aria-current", "page");
  }
  announcer = document.getElementById("announcer");
}

/** Say something to screen readers (and nothing visible): the live region is re-filled each time. */
export function announce(key, args) {
  announcer ??= document.getElementById("announcer");
  if (!announcer) return;
  announcer.textContent = "";
  setTimeout(() => {
    announcer.textContent = t(key, args);
  }, 60);
}

/** Put the reader at the start of new content (a step done, an error summary). */
export function focusOn(el) {
  if (!el) return;
  if (!el.hasAttribute("tabindex")) el.setAttribute("tabindex", "-1");
  el.focus({ preventScroll: false });
  el.scrollIntoView({ block: "start" });
}
