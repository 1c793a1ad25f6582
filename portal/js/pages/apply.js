// Submitting a dossier online (levels 3 and 4): the applicant and the generated form, a draft saved
// on the server (and remembered in this browser, so a reload resumes it), the documents, submission,
// the receipt, and payment when the fee is paid before processing.
import { api, problemMessage } from "../lib/api.js";
import { $, h, fill, params, debounce, isBusy, setBusy } from "../lib/dom.js";
import { initPage, announce, focusOn } from "../lib/layout.js";
import { t, localize } from "../lib/i18n.js";
import { FieldSet, renderSummary } from "../lib/fields.js";
import { schemaForm } from "../lib/schema-form.js";
import { applicantSpecs, deliverySpecs, applicantBody, deliveryBody } from "../lib/applicant.js";
import { DocumentsPanel } from "../lib/documents.js";
import { draftFor, remember, forget, keepUnsaved, unsaved, dropUnsaved } from "../lib/store.js";
import { dateTime, money } from "../lib/format.js";
import { receiptViewer } from "../lib/receipt.js";
import { payButton as payButtonOf } from "../lib/payment.js";
import { openDialog } from "../lib/dialog.js";
import { procedureLink, dossierLink } from "../lib/catalog.js";

initPage();

const code = params().get("ma");
const form = $("#info-form");
const problemBox = $("#page-problem");
let procedure;
let entry = null; // {id, access_token, procedure_code, ...} once the draft exists
let panel = null;
let savedBody = null; // what the server has, to know whether to save again before submitting
let applicantFields;
let deliveryFields;
let online;

function showProblem(error, where = problemBox) {
  const [key, args] = problemMessage(error);
  where.replaceChildren(h("p", { class: "notice error", i18n: key, args }));
}

// -- building the form --------------------------------------------------------------------------------
function buildForm() {
  applicantFields = new FieldSet(applicantSpecs());
  $("#applicant").append(...applicantFields.render());

  online = schemaForm(procedure.form_schema || { properties: {} });
  if (procedure.form_schema) {
    $("#online-form").append(
      h("h3", { text: procedure.form_schema.title || t("apply.onlineForm") }),
      h("p", { class: "hint", i18n: "form.schemaLanguage" }),
      online.element,
    );
  }

  const methods = procedure.delivery_methods.length ? procedure.delivery_methods : ["in_person"];
  deliveryFields = new FieldSet(deliverySpecs(methods, () => deliveryFields.value("delivery.method")));
  $("#delivery").append(...deliveryFields.render());
  if (methods.length === 1) deliveryFields.setValue("delivery.method", methods[0]);
  for (const radio of deliveryFields.controls.get("delivery.method").inputs) radio.addEventListener("change", syncAddress);
  syncAddress();
  const keep = debounce(rememberUnsaved, 400);
  form.addEventListener("input", keep);
  form.addEventListener("change", keep);
}

/** The postal address is asked for only when the result goes by post. */
function syncAddress() {
  deliveryFields.controls.get("delivery.address").root.hidden = deliveryFields.value("delivery.method") !== "postal";
}

/** Put a draft's (or the unsaved) answers back into the form. */
function fillForm({ applicant = {}, form_data: formData = {}, delivery = {} }) {
  applicantFields.fill(Object.fromEntries(Object.entries(applicant).map(([key, value]) => [`applicant.${key}`, value])));
  online.fill(formData);
  deliveryFields.fill({ "delivery.method": delivery.method, "delivery.address": delivery.address });
  syncAddress();
}

function fieldSets() {
  return [applicantFields, online.fields, deliveryFields];
}

function body() {
  const values = { ...applicantFields.values(), ...deliveryFields.values() };
  return { applicant: applicantBody(values), form_data: online.collect(), delivery: deliveryBody(values) };
}

function rememberUnsaved() {
  if (!entry) keepUnsaved(code, body());
}

function validateInfo() {
  const problems = fieldSets().flatMap((fs) => fs.validate());
  renderSummary($("#info-errors"), problems, fieldSets());
  return problems.length === 0;
}

/** The service's validation errors placed on their fields, and listed in the summary. */
function serverErrors(error, summary) {
  if (error.code !== "validation_failed" || !error.errors.length) return false;
  const problems = error.errors.map(({ field, message }) => {
    const found = ["error.fieldService", { message }];
    for (const fs of fieldSets()) {
      const name = fs.nameFor(field);
      if (name) {
        fs.mark(name, found);
        return { name, message: found };
      }
    }
    return { name: null, message: found };
  });
  renderSummary(summary, problems, fieldSets());
  return true;
}

// -- saving the draft -----------------------------------------------------------------------------------
async function save() {
  const next = body();
  let view;
  if (!entry) {
    const created = await api("/api/submission/dossiers", { method: "POST", body: { procedure_code: procedure.code, ...next } });
    entry = { id: created.id, access_token: created.access_token, procedure_code: procedure.code, procedure_name: procedure.name };
    remember(entry);
    dropUnsaved(code);
    view = await api(`/api/submission/dossiers/${created.id}`, { token: entry.access_token });
  } else {
    view = await api(`/api/submission/dossiers/${entry.id}`, { method: "PUT", token: entry.access_token, body: next });
  }
  savedBody = JSON.stringify(next);
  const stamp = new Intl.DateTimeFormat("vi-VN", { hour: "2-digit", minute: "2-digit", timeZone: "Asia/Ho_Chi_Minh" }).format(new Date());
  localize($("#save-status"), "apply.savedAt", { time: stamp });
  return view;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const button = $("#save");
  if (isBusy(button)) return;
  if (!validateInfo()) return;
  setBusy(button, true);
  localize($("#save-status"), "apply.saving");
  try {
    const first = !entry;
    const view = await save();
    announce("apply.saved");
    showDocuments(view);
    if (first) focusOn($("#step-docs"));
  } catch (error) {
    $("#save-status").textContent = "";
    if (!serverErrors(error, $("#info-errors"))) showProblem(error);
  } finally {
    setBusy(button, false);
  }
});

// -- documents and submission ---------------------------------------------------------------------------
function showDocuments(view) {
  localize($("#save"), "apply.saveChanges");
  $("#documents-step").hidden = false;
  $("#submit-step").hidden = false;
  if (panel) return;
  const details = Object.fromEntries(procedure.components.map((c) => [c.id, c]));
  const documents = view.documents.map((d) => ({ ...d, originals: details[d.component_id]?.originals, copies: details[d.component_id]?.copies }));
  panel = new DocumentsPanel({ dossierId: entry.id, token: entry.access_token, documents, files: view.files, onChange: readiness });
  $("#documents").replaceChildren(panel.element);
  readiness(panel.summary());
  feeNote();
}

/** Whether the dossier can be submitted; said again (it is a live region) only when it changes. */
function readiness({ missing, busy }) {
  const box = $("#readiness");
  const [tone, key, args] = busy
    ? ["", "apply.busy", {}]
    : missing.length
      ? ["warn", "apply.missing", { n: missing.length, names: missing.map((d) => d.name).join("; ") }]
      : ["ok", "apply.ready", {}];
  const said = JSON.stringify([key, args]);
  if (box.dataset.said === said) return;
  box.dataset.said = said;
  box.replaceChildren(h("p", { class: `notice ${tone}`, i18n: key, args }));
}

function feeNote() {
  const fee = procedure.fee_vnd;
  let key = "apply.feeNone";
  if (fee && procedure.level === 4 && procedure.fee_timing === "before_processing") key = "apply.feeBefore";
  else if (fee) key = "apply.feeOnResult";
  $("#fee-note").replaceChildren(h("p", { i18n: key, args: { fee: money(fee) } }));
}

$("#submit").addEventListener("click", async () => {
  if (isBusy($("#submit"))) return;
  const summary = $("#submit-errors");
  summary.hidden = true;
  if (!validateInfo()) return;
  const state = panel.summary();
  if (state.missing.length || state.busy) {
    const problems = state.missing.map((d) => ({ name: `doc:${d.component_id}`, message: ["apply.missingOne", { name: d.name }] }));
    if (state.busy) problems.push({ name: null, message: ["apply.busy", {}] });
    renderSummary(summary, problems, [docInputs()]);
    return;
  }
  const button = $("#submit");
  setBusy(button, true);
  announce("apply.submitting");
  try {
    if (JSON.stringify(body()) !== savedBody) await save();
    const answer = await api(`/api/submission/dossiers/${entry.id}/submit`, { method: "POST", token: entry.access_token });
    entry = { ...entry, code: answer.code };
    remember(entry);
    panel.stop();
    done(answer);
  } catch (error) {
    if (error.code === "validation_failed" && error.errors.length) {
      const problems = error.errors.map((e) => ({
        name: e.field.startsWith("documents.") ? `doc:${e.field.slice(10)}` : null,
        message: ["error.fieldService", { message: e.message }],
      }));
      renderSummary(summary, problems, [docInputs(), ...fieldSets()]);
    } else {
      showProblem(error, summary);
      summary.hidden = false;
      focusOn(summary);
    }
  } finally {
    setBusy(button, false);
  }
});

/** The file inputs of the documents, shaped like a FieldSet for the error summary's links. */
function docInputs() {
  return { firstInput: (name) => (name?.startsWith("doc:") ? panel.rowOf(name.slice(4))?.querySelector("input[type=file]") : null) };
}

function done(answer) {
  $("#apply").hidden = true;
  $("#resume-note").hidden = true;
  const section = $("#done");
  const pay = answer.payment.required
    ? h(
        "div",
        { class: "notice warn" },
        h("h3", { i18n: "apply.payTitle" }),
        h("p", { i18n: "apply.payLead", args: { fee: money(answer.payment.amount_vnd) } }),
        payButton(),
      )
    : null;
  fill(
    section,
    h("h2", { id: "done-title", i18n: "apply.doneTitle" }),
    h(
      "div",
      { class: "notice ok" },
      h("p", {}, h("span", { i18n: "apply.codeLabel" }), " ", h("strong", { class: "mono", id: "dossier-code", text: answer.code })),
      h("p", { i18n: "apply.receivedAt", args: { at: dateTime(answer.received_at) } }),
      h("p", { i18n: "apply.expectedAt", args: { at: dateTime(answer.expected_return_at) } }),
    ),
    pay,
    h("p", {}, h("span", { i18n: "apply.tokenLabel" }), " ", h("code", { text: entry.access_token })),
    h("p", { class: "hint", i18n: "apply.tokenHint" }),
    h("p", { class: "actions" }, h("a", { class: "button secondary", href: dossierLink(entry.id), i18n: "apply.follow" }), h("a", { href: `/tra-cuu.html?ma=${encodeURIComponent(answer.code)}`, i18n: "apply.publicLookup" })),
    h("h3", { i18n: "receipt.title" }),
    receiptViewer(entry.id, entry.access_token, answer.code),
  );
  section.hidden = false;
  focusOn(section);
  announce("apply.submitted", { code: answer.code });
}

function payButton() {
  const { button, status } = payButtonOf(entry.id, entry.access_token, showProblem);
  return h("div", {}, button, status);
}

// -- discarding the draft ---------------------------------------------------------------------------------
async function discard() {
  const confirmed = await openDialog({
    title: "apply.discardTitle",
    body: [h("p", { i18n: "apply.discardLead" })],
    confirm: "apply.discardConfirm",
    danger: true,
    onConfirm: async () => {
      if (entry) {
        await api(`/api/submission/dossiers/${entry.id}/withdraw`, { method: "POST", token: entry.access_token, body: { reason: "Công dân hủy hồ sơ nháp" } }).catch((error) => {
          if (![404, 401, 403, 409].includes(error.status)) throw error;
        });
        forget(entry.id);
      }
      dropUnsaved(code);
      return true;
    },
  });
  if (confirmed) location.reload();
}
$("#discard").addEventListener("click", discard);
$("#start-over").addEventListener("click", discard);

// -- start: the procedure, then the draft this browser kept, if any ----------------------------------------
async function resume() {
  const kept = draftFor(code);
  if (!kept) return null;
  try {
    const view = await api(`/api/submission/dossiers/${kept.id}`, { token: kept.access_token });
    if (view.status !== "DRAFT") {
      remember({ ...kept, code: view.code || "-" });
      problemBox.replaceChildren(h("p", { class: "notice" }, h("span", { i18n: "apply.alreadySubmitted" }), " ", h("a", { href: dossierLink(kept.id), i18n: "apply.follow" })));
      return null;
    }
    entry = kept;
    return view;
  } catch (error) {
    if ([401, 403, 404, 410].includes(error.status)) {
      forget(kept.id);
      return null;
    }
    throw error;
  }
}

async function start() {
  if (!code) {
    problemBox.replaceChildren(h("p", { class: "notice error", i18n: "procedure.missingCode" }));
    return;
  }
  try {
    procedure = await api(`/api/catalog/procedures/${encodeURIComponent(code)}`);
  } catch (error) {
    showProblem(error);
    return;
  }
  $("#procedure-name").textContent = procedure.name;
  $("#crumb-procedure").href = procedureLink(procedure.code);
  if (procedure.level < 3) {
    problemBox.replaceChildren(h("p", { class: "notice" }, h("span", { i18n: "apply.notOnline" }), " ", h("a", { href: procedureLink(procedure.code), i18n: "apply.seeProcedure" })));
    return;
  }
  buildForm();
  let view = null;
  try {
    view = await resume();
  } catch (error) {
    showProblem(error);
  }
  if (view) {
    fillForm(view);
    savedBody = JSON.stringify(body());
    $("#resume-note").hidden = false;
    showDocuments(view);
    announce("apply.resumed");
  } else {
    const typed = unsaved(code);
    if (typed) fillForm(typed);
  }
  $("#apply").hidden = false;
}

start();
