// The agency's inbox, most urgent first: filters, pages, and due dates that say what they mean
// (overdue in red with the word, due soon in amber, waiting for the citizen marked).
import { problemMessage } from "../lib/api.js";
import { $, h, params } from "../lib/dom.js";
import { localize } from "../lib/i18n.js";
import { dateTime } from "../lib/format.js";
import { statusBadge, STATUSES } from "../lib/status.js";
import { keyboardScrollable } from "../lib/table.js";
import { initConsole, agencyName } from "./session.js";

const session = initConsole();
const form = $("#inbox-filters");
const rows = $("#inbox-rows");
const count = $("#inbox-count");
const problemBox = $("#inbox-problem");
const prev = $("#prev");
const next = $("#next");
const PAGE = 20;
let cursors = [null]; // the cursor of each page seen so far
let page = 0;

function filters() {
  const query = new URLSearchParams();
  if (form.elements.status.value) query.set("status", form.elements.status.value);
  if (form.elements.overdue.checked) query.set("overdue", "true");
  if (form.elements.procedure.value.trim()) query.set("procedure", form.elements.procedure.value.trim());
  return query;
}

function dueCell(item) {
  const badges = [];
  if (item.overdue) badges.push(h("span", { class: "badge danger", i18n: "inbox.overdue" }));
  else if (item.due_soon) badges.push(h("span", { class: "badge warn", i18n: "inbox.dueSoon" }));
  if (item.waiting) badges.push(h("span", { class: "badge wait", i18n: "inbox.waiting" }));
  return h("td", {}, h("div", { text: item.due_at ? dateTime(item.due_at) : "—" }), badges.length ? h("div", { class: "meta-line" }, badges) : null);
}

function row(item) {
  return h(
    "tr",
    { class: item.overdue ? "overdue" : item.due_soon ? "due-soon" : null },
    h("th", { scope: "row" }, h("a", { href: `/can-bo/ho-so.html?ma=${encodeURIComponent(item.code)}`, class: "mono", text: item.code })),
    h("td", {}, h("div", { text: item.procedure_name }), h("div", { class: "hint mono", text: item.procedure_code })),
    h("td", { text: item.applicant_name }),
    h("td", {}, statusBadge(item.status), item.payment_status === "PENDING" ? h("div", {}, h("span", { class: "badge warn", i18n: "inbox.unpaid" })) : null),
    h("td", { text: dateTime(item.received_at) }),
    dueCell(item),
  );
}

async function load() {
  const query = filters();
  query.set("limit", String(PAGE));
  if (cursors[page]) query.set("cursor", cursors[page]);
  rows.parentElement.setAttribute("aria-busy", "true");
  problemBox.replaceChildren();
  try {
    const answer = await session.call(`/api/tracking/dossiers?${query}`);
    rows.replaceChildren(...answer.items.map(row));
    if (!answer.items.length) rows.append(h("tr", {}, h("td", { colspan: "6", i18n: "inbox.empty" })));
    cursors[page + 1] = answer.next_cursor;
    prev.disabled = page === 0;
    next.disabled = !answer.next_cursor;
    localize($("#page-no"), "inbox.page", { n: page + 1 });
    localize(count, "inbox.count", { n: answer.items.length, page: page + 1 });
  } catch (error) {
    const [key, args] = problemMessage(error);
    problemBox.replaceChildren(h("p", { class: "notice error", i18n: key, args }));
  } finally {
    rows.parentElement.removeAttribute("aria-busy");
  }
}

function restart() {
  cursors = [null];
  page = 0;
  const query = filters().toString();
  history.replaceState(null, "", query ? `?${query}` : location.pathname);
  load();
}

if (session) {
  keyboardScrollable($("#inbox-table"), "inbox-caption");
  const select = form.elements.status;
  for (const status of STATUSES.filter((s) => s !== "DRAFT")) select.append(h("option", { value: status, i18n: `status.${status}` }));
  const start = params();
  select.value = start.get("status") || "";
  form.elements.overdue.checked = start.get("overdue") === "true";
  form.elements.procedure.value = start.get("procedure") || "";
  agencyName(session.official.agency).then((name) => localize($("#agency-name"), "inbox.agency", { agency: name }));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    restart();
  });
  form.addEventListener("reset", () => setTimeout(restart));
  prev.addEventListener("click", () => {
    page = Math.max(0, page - 1);
    load();
  });
  next.addEventListener("click", () => {
    page += 1;
    load();
  });
  load();
}
