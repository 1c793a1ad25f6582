// Search the catalogue: suggestions while typing (a combobox), filters, the result count, more pages.
import { api, problemMessage } from "../lib/api.js";
import { $, h, clear, debounce } from "../lib/dom.js";
import { initPage } from "../lib/layout.js";
import { localize, onLangChange } from "../lib/i18n.js";
import { money, days, number } from "../lib/format.js";
import { LEVEL_KEYS, TIER_KEYS, procedureLink } from "../lib/catalog.js";

initPage();

const input = $("#q");
const filters = $("#filters");
const FILTERS = ["level", "field", "agency", "tier"];
const problem = $("#search-problem");

// -- the query lives in the address, so a search can be shared, bookmarked and gone back to ----------
function readState() {
  const query = new URLSearchParams(location.search);
  input.value = query.get("q") || "";
  for (const name of FILTERS) filters.elements[name].value = query.get(name) || "";
}

function state() {
  const out = new URLSearchParams();
  if (input.value.trim()) out.set("q", input.value.trim());
  for (const name of FILTERS) if (filters.elements[name].value) out.set(name, filters.elements[name].value);
  return out;
}

function writeState() {
  const query = state().toString();
  history.replaceState(null, "", query ? `?${query}` : location.pathname);
}

// -- facets fill the filters --------------------------------------------------------------------------
async function loadFacets() {
  try {
    const facets = await api("/api/catalog/facets");
    const chosen = new URLSearchParams(location.search);
    const level = filters.elements.level;
    for (const [value, n] of Object.entries(facets.levels)) {
      if (n > 0) level.append(h("option", { value, i18n: "filters.levelOption", args: { level: { $t: LEVEL_KEYS[value] }, n } }));
    }
    const field = filters.elements.field;
    for (const f of [...facets.fields].sort((a, b) => a.name.localeCompare(b.name, "vi"))) {
      field.append(h("option", { value: f.code }, `${f.name} (${f.count})`));
    }
    const tier = filters.elements.tier;
    for (const t of facets.tiers) tier.append(h("option", { value: t.code, i18n: "filters.tierOption", args: { tier: { $t: TIER_KEYS[t.code] || t.code }, n: t.count } }));
    const agency = filters.elements.agency;
    for (const code of ["province", "district", "commune"]) {
      const group = h("optgroup", { i18nAttr: { label: TIER_KEYS[code] } });
      for (const a of facets.agencies.filter((x) => x.tier === code).sort((x, y) => x.name.localeCompare(y.name, "vi"))) {
        group.append(h("option", { value: a.code }, `${a.name} (${a.count})`));
      }
      if (group.children.length) agency.append(group);
    }
    for (const name of FILTERS) filters.elements[name].value = chosen.get(name) || "";
  } catch (error) {
    showProblem(error);
  }
}

function showProblem(error) {
  const [key, args] = problemMessage(error);
  problem.replaceChildren(h("p", { class: "notice error", i18n: key, args }));
}

// -- suggestions (combobox) ---------------------------------------------------------------------------
const listbox = $("#suggestions");
let suggestController = null;
let suggestions = [];
let active = -1;

function summaryLine(item) {
  return [
    h("span", { class: "badge level", i18n: LEVEL_KEYS[item.level] }),
    h("span", {}, item.agency.name),
  ];
}

async function suggest() {
  const q = input.value.trim();
  suggestController?.abort();
  if (q.length < 2) return closeSuggestions();
  suggestController = new AbortController();
  const query = state();
  query.set("limit", "8");
  try {
    const answer = await api(`/api/catalog/procedures?${query}`, { signal: suggestController.signal });
    suggestions = answer.items;
    renderSuggestions();
  } catch (error) {
    if (error.name !== "AbortError") closeSuggestions();
  }
}

function renderSuggestions() {
  clear(listbox);
  active = -1;
  input.removeAttribute("aria-activedescendant");
  if (!suggestions.length || document.activeElement !== input) return closeSuggestions();
  suggestions.forEach((item, n) => {
    const option = h("li", { id: `suggestion-${n}`, role: "option", "aria-selected": "false" }, h("span", { lang: "vi", text: item.name }), h("span", { class: "meta" }, summaryLine(item)));
    option.addEventListener("mousedown", (event) => event.preventDefault()); // keep focus in the input
    option.addEventListener("click", () => open(item));
    listbox.append(option);
  });
  listbox.hidden = false;
  input.setAttribute("aria-expanded", "true");
}

function closeSuggestions() {
  listbox.hidden = true;
  input.setAttribute("aria-expanded", "false");
  input.removeAttribute("aria-activedescendant");
  active = -1;
}

function highlight(n) {
  const options = [...listbox.children];
  if (!options.length) return;
  active = (n + options.length) % options.length;
  options.forEach((o, i) => o.setAttribute("aria-selected", String(i === active)));
  input.setAttribute("aria-activedescendant", options[active].id);
  options[active].scrollIntoView({ block: "nearest" });
}

function open(item) {
  location.href = procedureLink(item.code);
}

input.addEventListener("keydown", (event) => {
  const expanded = !listbox.hidden;
  if (event.key === "ArrowDown") {
    event.preventDefault();
    if (!expanded) renderSuggestions();
    highlight(active + 1);
  } else if (event.key === "ArrowUp" && expanded) {
    event.preventDefault();
    highlight(active - 1);
  } else if (event.key === "Enter" && expanded && active >= 0) {
    event.preventDefault();
    open(suggestions[active]);
  } else if (event.key === "Escape" && expanded) {
    event.preventDefault();
    closeSuggestions();
  }
});
input.addEventListener("blur", () => setTimeout(closeSuggestions, 100));

// -- results ------------------------------------------------------------------------------------------
const results = $("#results");
const count = $("#result-count");
const more = $("#more");
let searchController = null;
let nextCursor = null;
let lastTotal = null;

function resultItem(item) {
  return h(
    "li",
    {},
    h("h3", { lang: "vi" }, h("a", { href: procedureLink(item.code) }, item.name)),
    h(
      "p",
      { class: "meta-line" },
      h("span", { class: "badge level", i18n: LEVEL_KEYS[item.level] }),
      h("span", { i18n: "search.fieldOf", args: { field: item.field.name } }),
      h("span", { i18n: "search.agencyOf", args: { agency: item.agency.name } }),
      h("span", { i18n: "search.daysOf", args: { days: days(item.processing_days) } }),
      h("span", item.fee_vnd ? { i18n: "search.feeOf", args: { fee: money(item.fee_vnd) } } : { i18n: "search.free" }),
    ),
  );
}

function renderCount() {
  if (lastTotal == null) return;
  localize(count, state().toString() ? "search.count" : "search.countAll", { n: number(lastTotal) });
}

async function search({ append = false } = {}) {
  searchController?.abort();
  searchController = new AbortController();
  const query = state();
  query.set("limit", "20");
  if (append && nextCursor) query.set("cursor", nextCursor);
  results.setAttribute("aria-busy", "true");
  problem.replaceChildren();
  try {
    const answer = await api(`/api/catalog/procedures?${query}`, { signal: searchController.signal });
    if (!append) clear(results);
    results.append(...answer.items.map(resultItem));
    nextCursor = answer.next_cursor;
    more.hidden = !nextCursor;
    lastTotal = answer.total;
    renderCount();
  } catch (error) {
    if (error.name !== "AbortError") showProblem(error);
  } finally {
    results.removeAttribute("aria-busy");
  }
}

const liveSearch = debounce(() => {
  writeState();
  suggest();
  search();
}, 150);

input.addEventListener("input", liveSearch);
$("#search-form").addEventListener("submit", (event) => {
  event.preventDefault();
  closeSuggestions();
  writeState();
  search();
  $("#results-title").scrollIntoView({ block: "start" });
});
filters.addEventListener("change", () => {
  writeState();
  search();
});
filters.addEventListener("reset", () =>
  setTimeout(() => {
    writeState();
    search();
  }),
);
more.addEventListener("click", async () => {
  const before = results.children.length;
  await search({ append: true });
  results.children[before]?.querySelector("a")?.focus();
});
onLangChange(renderCount);

if (matchMedia("(max-width: 56rem)").matches) $("#filters-box").open = false;
readState();
loadFacets();
search();
