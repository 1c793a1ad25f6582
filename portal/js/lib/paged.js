// A list read a page at a time from an endpoint that answers `{ items, next_cursor }` (API.md), with
// a "more" button for the next page: busy while it reads, the problem shown as a notice if it fails.
import { problemMessage } from "./api.js";
import { h } from "./dom.js";

/**
 * `read(path)` fetches one page (the public `api`, or an official's `session.call`); `item(entry)`
 * renders an entry; `empty` is the key said when there is none at all; a failure is shown in
 * `problemBox`, the list itself unless given. Returns `load`, which reads the next page.
 */
export function pagedList({ list, more, path, read, item, empty, problemBox = list, limit = 10 }) {
  let cursor = null;
  async function load() {
    list.setAttribute("aria-busy", "true");
    try {
      const page = await read(`${path}?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      if (!cursor && !page.items.length) list.replaceChildren(h("p", { i18n: empty }));
      list.append(...page.items.map(item));
      cursor = page.next_cursor;
      more.hidden = !cursor;
    } catch (error) {
      const [key, args] = problemMessage(error);
      problemBox.replaceChildren(h("p", { class: "notice error", i18n: key, args }));
    } finally {
      list.removeAttribute("aria-busy");
    }
  }
  more.addEventListener("click", load);
  return load;
}
