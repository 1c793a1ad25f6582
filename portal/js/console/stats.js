// The leaders' dashboard: received, on-time and late dossiers by month and by agency, as charts
// and as the tables they are drawn from.
import { problemMessage } from "../lib/api.js";
import { $, h, fill, params } from "../lib/dom.js";
import { t, localize, onLangChange } from "../lib/i18n.js";
import { number, percent } from "../lib/format.js";
import { announce } from "../lib/layout.js";
import { initConsole } from "./session.js";
import { barChart, legend } from "./charts.js";
import { dataTable } from "../lib/table.js";

const session = initConsole();
const form = $("#stats-form");
const output = $("#stats");
const problemBox = $("#stats-problem");
const status = $("#stats-status");
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const COLUMNS = ["received", "received_online", "processed", "on_time", "late", "in_progress", "overdue"];
let rows = null;

function monthOf(date) {
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, "0")}`;
}

function monthLabel(month) {
  const [year, m] = month.split("-");
  return `${m}/${year}`;
}

function sum(groupRows) {
  const total = Object.fromEntries(COLUMNS.map((c) => [c, 0]));
  for (const row of groupRows) for (const c of COLUMNS) total[c] += row[c] || 0;
  total.on_time_rate = total.on_time + total.late ? total.on_time / (total.on_time + total.late) : null;
  return total;
}

function groupBy(key) {
  const groups = new Map();
  for (const row of rows) {
    const k = row[key];
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k).push(row);
  }
  return groups;
}

function figuresTable(captionKey, firstKey, groups) {
  return dataTable({
    caption: captionKey,
    columns: [{ key: firstKey }, ...COLUMNS.map((c) => ({ key: `stats.col.${c}`, className: "num" })), { key: "stats.col.rate", className: "num" }],
    rows: groups.map(([label, total]) => h("tr", {}, h("th", { scope: "row", class: firstKey === "stats.agency" ? "name" : null, text: label }), COLUMNS.map((c) => h("td", { class: "num", text: number(total[c]) })), h("td", { class: "num", text: percent(total.on_time_rate) }))),
  });
}

function chartSeries() {
  return [
    { key: "received", label: t("stats.col.received"), className: "bar-received" },
    { key: "on_time", label: t("stats.col.on_time"), className: "bar-on-time" },
    { key: "late", label: t("stats.col.late"), className: "bar-late" },
  ];
}

function render() {
  if (!rows) return;
  if (!rows.length) {
    output.replaceChildren(h("p", { class: "notice", i18n: "stats.none" }));
    return;
  }
  const overall = sum(rows);
  const months = [...groupBy("month").entries()].sort(([a], [b]) => a.localeCompare(b)).map(([month, r]) => [monthLabel(month), sum(r)]);
  const agencies = [...groupBy("agency").entries()]
    .map(([, r]) => [r[0].agency_name || r[0].agency, sum(r)])
    .sort((a, b) => b[1].received - a[1].received);
  const series = chartSeries();
  const top = agencies.slice(0, 12);
  const describe = (groups) => groups.map(([label, total]) => t("stats.describe", { label, received: total.received, on_time: total.on_time, late: total.late })).join("; ");
  fill(
    output,
    h(
      "div",
      { class: "kpis" },
      [
        ["stats.kpi.received", number(overall.received)],
        ["stats.kpi.processed", number(overall.processed)],
        ["stats.kpi.rate", percent(overall.on_time_rate)],
        ["stats.kpi.overdue", number(overall.overdue)],
      ].map(([key, value]) => h("div", { class: "kpi" }, h("span", { i18n: key }), h("strong", { text: value }))),
    ),
    h(
      "section",
      { class: "card", "aria-labelledby": "by-month" },
      h("h2", { id: "by-month", i18n: "stats.byMonth" }),
      legend(series),
      h("figure", { class: "chart", id: "chart-month", tabindex: "0", "aria-labelledby": "by-month" }, barChart({ title: t("stats.byMonth"), description: describe(months), categories: months.map(([m]) => m), series: series.map((s) => ({ ...s, values: months.map(([, total]) => total[s.key]) })) })),
      figuresTable("stats.tableMonth", "stats.month", months),
    ),
    h(
      "section",
      { class: "card", "aria-labelledby": "by-agency" },
      h("h2", { id: "by-agency", i18n: "stats.byAgency" }),
      agencies.length > top.length ? h("p", { class: "hint", i18n: "stats.topAgencies", args: { n: top.length } }) : null,
      legend(series),
      h("figure", { class: "chart", id: "chart-agency", tabindex: "0", "aria-labelledby": "by-agency" }, barChart({ title: t("stats.byAgency"), description: describe(top), categories: top.map(([a]) => a), series: series.map((s) => ({ ...s, values: top.map(([, total]) => total[s.key]) })), horizontal: true })),
      figuresTable("stats.tableAgency", "stats.agency", agencies),
    ),
  );
}

async function load(from, to) {
  const error = $("#range-error");
  error.hidden = true;
  if (!MONTH.test(from) || !MONTH.test(to) || from > to) {
    localize(error, "stats.badRange");
    error.hidden = false;
    return;
  }
  history.replaceState(null, "", `?from=${from}&to=${to}`);
  problemBox.replaceChildren();
  localize(status, "common.loading");
  output.setAttribute("aria-busy", "true");
  try {
    rows = (await session.call(`/api/tracking/stats?from=${from}&to=${to}`)).rows;
    render();
    localize(status, "stats.loaded", { n: rows.length });
    announce("stats.loaded", { n: rows.length });
  } catch (failure) {
    status.textContent = "";
    const [key, args] = failure.status === 403 ? ["stats.leaderOnly", {}] : problemMessage(failure);
    problemBox.replaceChildren(h("p", { class: "notice error", i18n: key, args }));
  } finally {
    output.removeAttribute("aria-busy");
  }
}

if (session) {
  const now = new Date();
  const start = params();
  form.elements.from.value = start.get("from") || monthOf(new Date(now.getFullYear(), now.getMonth() - 5, 1));
  form.elements.to.value = start.get("to") || monthOf(now);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    load(form.elements.from.value, form.elements.to.value);
  });
  onLangChange(render);
  load(form.elements.from.value, form.elements.to.value);
}
