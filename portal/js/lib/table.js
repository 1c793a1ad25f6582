// Data tables. One wider than its place scrolls sideways in its own box; while it does, that box is a
// region in the tab order, named by the table's caption, so a keyboard reaches it (Tab) and scrolls it
// (the arrow keys) — WCAG 2.1.1; a box that does not scroll stays out of the tab order. A `stacked`
// table, on a phone (under 30rem), shows each row as a card, every cell under its column's name, so
// nothing scrolls at all.
import { h } from "./dom.js";

let sequence = 0;

/** While `box` scrolls sideways: role=region, named by `labelledBy`, tabindex=0; otherwise none of them. */
export function keyboardScrollable(box, labelledBy) {
  const update = () => {
    const scrolls = box.scrollWidth > box.clientWidth + 1;
    if (scrolls === (box.getAttribute("tabindex") === "0")) return;
    if (scrolls) {
      box.setAttribute("role", "region");
      box.setAttribute("aria-labelledby", labelledBy);
      box.setAttribute("tabindex", "0");
    } else {
      for (const name of ["role", "aria-labelledby", "tabindex"]) box.removeAttribute(name);
    }
  };
  const observer = new ResizeObserver(update);
  observer.observe(box);
  if (box.firstElementChild) observer.observe(box.firstElementChild); // the table grows with its text
  return box;
}

/**
 * columns: [{ key, className }] (i18n keys of the headers); rows: <tr> elements, one cell per column.
 * caption: the i18n key naming the table (and its scrolling region); shown unless `hideCaption`.
 */
export function dataTable({ caption, columns, rows, stacked = false, hideCaption = false, className = null }) {
  const id = `table-${++sequence}`;
  const role = (name) => (stacked ? name : null); // kept as a table for screen readers once restyled
  if (stacked) {
    for (const row of rows) {
      row.setAttribute("role", "row");
      [...row.children].forEach((cell, n) => {
        cell.setAttribute("role", cell.tagName === "TH" ? "rowheader" : "cell");
        // the column's name beside the value on a phone; screen readers have it from the header already
        if (columns[n]) cell.prepend(h("span", { class: "cell-label", "aria-hidden": "true", i18n: columns[n].key }));
      });
    }
  }
  const table = h(
    "table",
    { class: [className, stacked ? "stacked" : null].filter(Boolean).join(" ") || null, role: role("table") },
    h("caption", { id: `${id}-caption`, class: hideCaption ? "visually-hidden" : null, i18n: caption }),
    h(
      "thead",
      { role: role("rowgroup") },
      h("tr", { role: role("row") }, columns.map(({ key, className: cls }) => h("th", { scope: "col", class: cls || null, role: role("columnheader"), i18n: key }))),
    ),
    h("tbody", { role: role("rowgroup") }, rows),
  );
  return keyboardScrollable(h("div", { class: "table-wrap" }, table), `${id}-caption`);
}
