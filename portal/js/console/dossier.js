// One dossier for the official: applicant, the online form, documents (links), results, history,
// and only the actions this official may take now, each confirmed in a dialog.
import { api, problemMessage } from "../lib/api.js";
import { $, h, fill, params } from "../lib/dom.js";
import { announce, focusOn } from "../lib/layout.js";
import { has, t } from "../lib/i18n.js";
import { dateTime, money, fileSize } from "../lib/format.js";
import { fileState, statusBadge } from "../lib/status.js";
import { historyTimeline } from "../lib/history.js";
import { dataTable } from "../lib/table.js";
import { initConsole } from "./session.js";
import { runAction, ORDER } from "./actions.js";

const session = initConsole();
const root = $("#dossier");
const resultBox = $("#action-result");
const code = params().get("ma");
let schema = null;

function card(titleKey, ...content) {
  const id = `c-${titleKey.replace(/\W/g, "-")}`;
  return h("section", { class: "card", "aria-labelledby": id }, h("h2", { id, i18n: titleKey }), content);
}

function facts(pairs) {
  return h("dl", { class: "facts" }, pairs.filter(Boolean).flatMap(([key, value]) => [h("dt", typeof key === "string" && has(key) ? { i18n: key } : { text: String(key) }), h("dd", {}, value ?? "—")]));
}

function formValue(node, value) {
  if (typeof value === "boolean") return h("span", { i18n: value ? "common.yes" : "common.no" });
  if (node?.enum && node["x-enum-labels"]) return node["x-enum-labels"][node.enum.indexOf(value)] ?? String(value);
  return String(value);
}

function formCard(formData) {
  const entries = Object.entries(formData || {});
  if (!entries.length) return null;
  const props = schema?.properties || {};
  const loose = entries.filter(([, v]) => !(v && typeof v === "object"));
  return card(
    "official.form",
    entries
      .filter(([, v]) => v && typeof v === "object")
      .map(([key, section]) =>
        h("div", {}, h("h3", { text: props[key]?.title || key }), facts(Object.entries(section).map(([leaf, value]) => [props[key]?.properties?.[leaf]?.title || leaf, formValue(props[key]?.properties?.[leaf], value)]))),
      ),
    loose.length ? facts(loose.map(([key, value]) => [props[key]?.title || key, formValue(props[key], value)])) : null,
  );
}

function filesTable(files, captionKey) {
  return dataTable({
    caption: captionKey,
    hideCaption: true,
    columns: ["official.component", "official.file", "official.fileStatus"].map((key) => ({ key })),
    rows: files.map((f) =>
      h(
        "tr",
        {},
        h("td", {}, f.name || f.component_id || "—", f.supplement ? h("div", {}, h("span", { class: "badge muted", i18n: "mine.supplementFile" })) : null),
        h("td", {}, f.url ? h("a", { href: f.url, target: "_blank", rel: "noopener", text: f.file_name }) : f.file_name, h("span", { class: "hint", text: ` (${fileSize(f.size)})` })),
        h("td", fileState(f)),
      ),
    ),
  });
}

function actionsCard(dossier) {
  const allowed = ORDER.filter((a) => dossier.allowed_actions.includes(a));
  const extra = dossier.allowed_actions.filter((a) => !ORDER.includes(a));
  const buttons = [...allowed, ...extra].map((action) => {
    const button = h("button", { type: "button", class: `button${["refuse", "stop"].includes(action) ? " danger" : action === allowed[0] ? "" : " secondary"}`, dataset: { action }, i18n: `do.${action}` });
    button.addEventListener("click", () => act(action));
    return button;
  });
  return card("official.actions", buttons.length ? h("div", { class: "actions" }, buttons) : h("p", { i18n: "official.noActions" }));
}

function render(dossier) {
  document.title = `${dossier.code} - ${t("brand.console")}`;
  const badges = [statusBadge(dossier.status)];
  if (dossier.overdue) badges.push(h("span", { class: "badge danger", i18n: "inbox.overdue" }));
  if (dossier.paused) badges.push(h("span", { class: "badge wait", i18n: "official.paused" }));
  if (dossier.payment_status === "PENDING") badges.push(h("span", { class: "badge warn", i18n: "inbox.unpaid" }));
  const applicant = dossier.applicant || {};
  fill(
    root,
    h("h1", { class: "mono", text: dossier.code }),
    h("p", { class: "lead", lang: "vi", text: dossier.procedure_name }),
    h("p", { class: "meta-line", id: "badges" }, badges),
    actionsCard(dossier),
    card(
      "official.summary",
      facts([
        ["official.procedure", `${dossier.procedure_name} (${dossier.procedure_code})`],
        ["official.agency", dossier.agency?.name],
        ["official.receivingAgency", dossier.receiving_agency?.name],
        ["official.receivedAt", dateTime(dossier.received_at)],
        ["official.acceptedAt", dateTime(dossier.accepted_at)],
        ["official.dueAt", dateTime(dossier.due_at)],
        dossier.outcome ? ["official.outcome", h("span", { i18n: `outcome.${dossier.outcome}` })] : null,
        dossier.amount_due_vnd ? ["official.fee", h("span", { i18n: `payment.${dossier.payment_status}`, args: { fee: money(dossier.amount_due_vnd) } })] : null,
        ["official.delivery", h("span", { i18n: `delivery.${dossier.delivery?.method || "in_person"}` }, dossier.delivery?.address ? `: ${dossier.delivery.address}` : "")],
      ]),
    ),
    card(
      "official.applicant",
      facts([
        ["applicant.fullName", applicant.full_name],
        ["applicant.idNumber", applicant.id_number],
        ["applicant.phone", applicant.phone],
        ["applicant.email", applicant.email || "—"],
        ["applicant.address", applicant.address],
      ]),
    ),
    formCard(dossier.form_data),
    dossier.supplement
      ? card(
          "official.supplement",
          facts([
            ["official.supplementAt", dateTime(dossier.supplement.requested_at)],
            ["official.supplementNote", dossier.supplement.note],
            ["official.supplementSentAt", dossier.supplement.submitted_at ? dateTime(dossier.supplement.submitted_at) : h("span", { i18n: "official.notYet" })],
            dossier.supplement.citizen_note ? ["official.citizenNote", dossier.supplement.citizen_note] : null,
          ]),
        )
      : null,
    card("official.files", dossier.files.length ? filesTable(dossier.files, "official.files") : h("p", { i18n: "official.noFiles" })),
    dossier.results.length ? card("official.results", filesTable(dossier.results, "official.results")) : null,
    dossier.apologies?.length
      ? card("official.apologies", h("ul", {}, dossier.apologies.map((a) => h("li", { i18n: "official.apology", args: { at: dateTime(a.at), from: dateTime(a.previous_due_at), to: dateTime(a.new_due_at), note: a.note || "" } }))))
      : null,
    card("official.history", historyTimeline(dossier.history, { officials: true })),
  );
  root.removeAttribute("aria-busy");
}

async function load() {
  const dossier = await session.call(`/api/tracking/dossiers/${encodeURIComponent(code)}`);
  if (!schema) {
    try {
      schema = (await api(`/api/catalog/procedures/${encodeURIComponent(dossier.procedure_code)}`)).form_schema;
    } catch {
      schema = null; // the form still shows, with its field keys
    }
  }
  render(dossier);
  return dossier;
}

let current = null;

async function act(action) {
  const outcome = await runAction(action, current, session);
  if (!outcome) return;
  if (outcome.conflict) {
    current = await load();
    resultBox.replaceChildren(h("div", { class: "notice warn", tabindex: "-1" }, h("p", { i18n: "official.conflict" })));
    announce("official.conflict");
  } else {
    current = outcome;
    render(current);
    resultBox.replaceChildren(h("div", { class: "notice ok", tabindex: "-1" }, h("p", { i18n: "official.done", args: { action: { $t: `do.${action}` }, status: { $t: `status.${current.status}` } } })));
    announce("official.done", { action: { $t: `do.${action}` }, status: { $t: `status.${current.status}` } });
  }
  focusOn(resultBox.firstElementChild);
}

if (session) {
  if (!code) root.replaceChildren(h("p", { class: "notice error", i18n: "official.missingCode" }));
  else {
    load()
      .then((dossier) => {
        current = dossier;
      })
      .catch((error) => {
        const [key, args] = problemMessage(error);
        root.replaceChildren(h("h1", { i18n: "official.crumb" }), h("p", { class: "notice error", i18n: key, args }));
        root.removeAttribute("aria-busy");
      });
  }
}
