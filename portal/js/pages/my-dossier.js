// "My dossier": status, history, the supplement an official asked for (with its upload), payment when
// due and the gateway's return, the result download, rating and withdrawal. Opened by its link
// (#id=...) with the access token kept in this browser, or by typing the token.
import { api, bearer, poll, problemMessage, ApiError } from "../lib/api.js";
import { $, h, fill, fragment, isBusy, setBusy } from "../lib/dom.js";
import { initPage, announce, focusOn } from "../lib/layout.js";
import { localize } from "../lib/i18n.js";
import { FieldSet, renderSummary } from "../lib/fields.js";
import { DocumentsPanel } from "../lib/documents.js";
import { dossiers, findDossier, remember } from "../lib/store.js";
import { dateTime, money } from "../lib/format.js";
import { fileState, statusBadge, WITHDRAWABLE } from "../lib/status.js";
import { historyTimeline } from "../lib/history.js";
import { receiptViewer } from "../lib/receipt.js";
import { payButton } from "../lib/payment.js";
import { openDialog } from "../lib/dialog.js";
import { applyLink, dossierLink } from "../lib/catalog.js";

initPage();

const root = $("#dossier");
const problemBox = $("#page-problem");
let entry = null;
let panel = null;

function problem(error, where = problemBox) {
  const [key, args] = problemMessage(error);
  where.replaceChildren(h("p", { class: "notice error", i18n: key, args }));
}

function card(titleKey, ...content) {
  const id = `c-${titleKey.replace(/\W/g, "-")}`;
  return h("section", { class: "card", "aria-labelledby": id }, h("h2", { id, i18n: titleKey }), content);
}

// -- without a link: the dossiers this browser knows, and the access form -------------------------------
function showList() {
  const saved = dossiers();
  $("#list").hidden = saved.length === 0;
  $("#saved").replaceChildren(
    ...saved.map((d) =>
      h(
        "li",
        {},
        h("h3", {}, h("a", { href: d.code ? dossierLink(d.id) : applyLink(d.procedure_code) }, d.procedure_name || d.procedure_code || d.code || d.id)),
        h("p", { class: "meta-line" }, d.code ? h("span", { i18n: "mine.codeOf", args: { code: d.code } }) : h("span", { class: "badge muted", i18n: "status.DRAFT" })),
      ),
    ),
  );
}

function showAccess(id, failed = false) {
  const section = $("#access");
  const formEl = $("#access-form");
  const fields = new FieldSet([
    { name: "id", label: ["mine.idLabel"], hint: ["mine.idHint"], kind: "text", required: true, attrs: { spellcheck: "false" } },
    { name: "token", label: ["mine.tokenLabel"], kind: "text", required: true, attrs: { spellcheck: "false", autocomplete: "off" } },
  ]);
  const summary = h("div", { class: "error-summary", hidden: true });
  formEl.replaceChildren(summary, failed ? h("p", { class: "notice error", i18n: "mine.tokenWrong" }) : null, ...fields.render(), h("button", { type: "submit", class: "button", i18n: "mine.open" }));
  fields.setValue("id", id || "");
  formEl.onsubmit = async (event) => {
    event.preventDefault();
    const problems = fields.validate();
    renderSummary(summary, problems, [fields]);
    if (problems.length) return;
    const next = { id: fields.value("id"), access_token: fields.value("token") };
    history.replaceState(null, "", `#id=${encodeURIComponent(next.id)}`);
    section.hidden = true;
    await open(next, true);
  };
  section.hidden = false;
}

// -- the dossier --------------------------------------------------------------------------------------------
async function open(candidate, typed = false) {
  root.setAttribute("aria-busy", "true");
  try {
    const view = await api(`/api/submission/dossiers/${encodeURIComponent(candidate.id)}`, { token: candidate.access_token });
    entry = { ...candidate, procedure_code: view.procedure_code, procedure_name: view.procedure_name, code: view.code || undefined };
    remember(entry);
    render(view);
    return view;
  } catch (error) {
    if (error instanceof ApiError && [401, 403].includes(error.status)) showAccess(candidate.id, true);
    else if (error instanceof ApiError && error.status === 404 && typed) showAccess(candidate.id, true);
    else problem(error);
    return null;
  } finally {
    root.removeAttribute("aria-busy");
  }
}

function render(view) {
  panel?.stop();
  panel = null;
  const paymentDue = view.payment_status === "PENDING" && view.payment.amount_vnd > 0 && !["DRAFT", "REFUSED", "WITHDRAWN", "STOPPED"].includes(view.status);
  fill(
    root,
    h("h2", { class: "procedure-name", lang: "vi", text: view.procedure_name }),
    summaryCard(view),
    view.status === "DRAFT" ? h("div", { class: "notice" }, h("p", { i18n: "mine.draft" }), h("a", { class: "button", href: applyLink(view.procedure_code), i18n: "mine.continueDraft" })) : null,
    view.status === "SUPPLEMENT_REQUESTED" ? supplementCard(view) : null,
    paymentDue ? paymentCard(view) : null,
    view.status === "RESULT_RETURNED" ? resultCard(view) : null,
    view.status === "RESULT_RETURNED" && !view.rated && view.code ? ratingCard(view) : null,
    view.withdrawal_requested_at && view.status !== "WITHDRAWN" ? h("p", { class: "notice", i18n: "mine.withdrawPending", args: { at: dateTime(view.withdrawal_requested_at) } }) : null,
    filesCard(view),
    card("mine.history", historyTimeline(view.history)),
    otherActions(view),
  );
}

function summaryCard(view) {
  const facts = [
    ["mine.code", view.code ? h("strong", { class: "mono", id: "dossier-code", text: view.code }) : h("span", { i18n: "mine.noCode" })],
    ["mine.status", statusBadge(view.status)],
    ["mine.agency", view.agency?.name || "—"],
    view.received_at ? ["mine.receivedAt", dateTime(view.received_at)] : null,
    view.due_at || view.expected_return_at ? ["mine.dueAt", dateTime(view.due_at || view.expected_return_at)] : null,
    view.payment.amount_vnd ? ["mine.fee", h("span", { i18n: `payment.${view.payment_status}`, args: { fee: money(view.payment.amount_vnd) } })] : null,
    ["mine.delivery", h("span", { i18n: `delivery.${view.delivery?.method || "in_person"}` })],
  ].filter(Boolean);
  return h("section", { class: "card", "aria-label": view.code || view.procedure_name }, h("dl", { class: "facts", id: "dossier-facts" }, facts.flatMap(([key, value]) => [h("dt", { i18n: key }), h("dd", {}, value)])));
}

// -- supplement ----------------------------------------------------------------------------------------------
function supplementCard(view) {
  const supplement = view.supplement || {};
  const section = card(
    "mine.supplementTitle",
    h("p", { i18n: "mine.supplementAt", args: { at: dateTime(supplement.requested_at) } }),
    h("blockquote", { class: "notice warn", id: "supplement-note" }, h("p", { text: supplement.note || "" })),
  );
  if (supplement.submitted_at) {
    section.append(h("p", { class: "notice ok", i18n: "mine.supplementSent", args: { at: dateTime(supplement.submitted_at) } }));
    return section;
  }
  panel = new DocumentsPanel({ dossierId: entry.id, token: entry.access_token, documents: view.documents, files: view.files, supplement: true });
  const note = new FieldSet([{ name: "note", label: ["mine.supplementNote"], kind: "textarea", maxLength: 2000 }]);
  const summary = h("div", { class: "error-summary", hidden: true });
  const status = h("div", { role: "status" });
  const send = h("button", { type: "button", class: "button", id: "send-supplement", i18n: "mine.supplementSend" });
  send.addEventListener("click", async () => {
    if (isBusy(send)) return;
    const state = panel.summary();
    if (state.busy || state.accepted === 0) {
      renderSummary(summary, [{ name: null, message: [state.busy ? "apply.busy" : "mine.supplementNone", {}] }], []);
      return;
    }
    setBusy(send, true);
    summary.hidden = true;
    localize(status, "mine.supplementSending");
    try {
      await api(`/api/submission/dossiers/${entry.id}/supplement`, { method: "POST", token: entry.access_token, body: { note: note.value("note") } });
      localize(status, "mine.supplementWaiting");
      announce("mine.supplementWaiting");
      const { answer } = await poll(() => api(`/api/submission/dossiers/${entry.id}`, { token: entry.access_token }), (v) => v.status !== "SUPPLEMENT_REQUESTED");
      render(answer);
      focusOn($("#dossier-facts"));
      announce("mine.supplementDone", { status: { $t: `status.${answer.status}` } });
    } catch (error) {
      setBusy(send, false);
      status.textContent = "";
      if (error.code === "validation_failed") renderSummary(summary, error.errors.map((e) => ({ name: null, message: ["error.fieldService", { message: e.message }] })), []);
      else problem(error, status);
    }
  });
  section.append(h("h3", { i18n: "mine.supplementDocs" }), panel.element, summary, ...note.render(), h("div", { class: "actions" }, send), status);
  return section;
}

// -- payment -------------------------------------------------------------------------------------------------
function paymentCard(view) {
  const { button, status } = payButton(entry.id, entry.access_token, problem);
  return card("mine.payTitle", h("p", { i18n: view.status === "PAYMENT_REQUIRED" ? "mine.payObligation" : "apply.payLead", args: { fee: money(view.payment.amount_vnd) } }), button, status);
}

/** Back from the gateway: #id=...&thanh-toan=thanh-cong|da-huy|that-bai&giao-dich=<payment id>. */
async function paymentReturn(outcome, paymentId) {
  const box = $("#payment-outcome");
  const tone = { "thanh-cong": "", "da-huy": "warn", "that-bai": "error" }[outcome] ?? "error";
  const say = (key, cls = tone, args = {}) => {
    box.replaceChildren(h("div", { class: `notice ${cls}`, role: "status" }, h("p", { i18n: key, args })));
    announce(key, args);
  };
  say(outcome === "thanh-cong" ? "pay.confirming" : outcome === "da-huy" ? "pay.cancelled" : "pay.failed");
  if (!paymentId) return;
  try {
    const { answer, done } = await poll(() => api(`/api/payment/payments/${encodeURIComponent(paymentId)}`, { token: entry.access_token }), (p) => p.status !== "PENDING");
    if (!done) return say("pay.stillPending", "warn");
    if (answer.status === "PAID") {
      say("pay.paid", "ok", { fee: money(answer.amount_vnd) });
      // the dossier learns of the payment through an event: wait for it, then show it
      const settled = await poll(() => api(`/api/submission/dossiers/${entry.id}`, { token: entry.access_token }), (v) => v.payment_status === "PAID");
      if (settled.answer) render(settled.answer);
    } else if (answer.status === "CANCELLED") say("pay.cancelled", "warn");
    else say("pay.failed", "error");
  } catch (error) {
    problem(error, box);
  } finally {
    history.replaceState(null, "", `#id=${encodeURIComponent(entry.id)}`);
  }
}

// -- result, rating ------------------------------------------------------------------------------------------
function resultCard(view) {
  const method = view.delivery?.method;
  if (method !== "online") {
    return card("mine.resultTitle", h("p", { i18n: method === "postal" ? "mine.resultPostal" : "mine.resultInPerson" }));
  }
  const status = h("div", { role: "status" });
  const button = h("button", { type: "button", class: "button", id: "download-result", i18n: "mine.download" });
  const lead = h("p", { i18n: "mine.resultReady", args: { outcome: { $t: `outcome.${view.outcome || "approved"}` } } });
  const preparing = h("p", { i18n: "mine.resultPreparing" });
  button.addEventListener("click", async () => {
    if (isBusy(button)) return;
    setBusy(button, true);
    localize(status, "mine.downloading");
    try {
      // the API hands over a short-lived link to the document (it is sent as an attachment): the browser
      // opens it itself, so object storage needs no CORS rule for the portal
      const response = await fetch(`${resultPath()}?format=json`, { headers: bearer(entry.access_token) });
      if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => ({})));
      const { url } = await response.json();
      window.location.assign(url);
      localize(status, "mine.downloaded");
      announce("mine.downloaded");
    } catch (error) {
      problem(error instanceof ApiError ? error : new ApiError(0, {}), status);
    } finally {
      setBusy(button, false);
    }
  });
  const section = card("mine.resultTitle", view.result_available ? [lead, button] : [preparing], status);
  if (!view.result_available) {
    // delivery makes the document available seconds after the official returns it
    waitForResult().then((ready) => {
      if (!ready || !document.contains(section)) return;
      preparing.replaceWith(lead, button);
      announce("mine.resultArrived");
    });
  }
  return section;
}

function resultPath() {
  return `/api/payment/dossiers/${encodeURIComponent(entry.id)}/result`;
}

/** Is the result there? The API gives its link once delivery has made it available. */
async function resultReady() {
  try {
    const response = await fetch(`${resultPath()}?format=json`, { headers: bearer(entry.access_token) });
    return response.ok;
  } catch {
    return false;
  }
}

async function waitForResult(timeout = 60000) {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    if (await resultReady()) return true;
    await new Promise((resolve) => setTimeout(resolve, 1500));
  }
  return false;
}

function ratingCard(view) {
  const labels = ["rating.1", "rating.2", "rating.3", "rating.4", "rating.5"];
  const fields = new FieldSet([
    { name: "score", label: ["rating.score"], kind: "radio", required: true, options: labels.map((key, n) => ({ value: String(n + 1), label: [key] })) },
    { name: "comment", label: ["rating.comment"], kind: "textarea", maxLength: 2000 },
  ]);
  const summary = h("div", { class: "error-summary", hidden: true });
  const status = h("div", { role: "status" });
  const formEl = h("form", { novalidate: true, id: "rating-form" }, summary, ...fields.render(), h("button", { type: "submit", class: "button", i18n: "rating.send" }), status);
  formEl.addEventListener("submit", async (event) => {
    event.preventDefault();
    const problems = fields.validate();
    renderSummary(summary, problems, [fields]);
    if (problems.length) return;
    try {
      await api(`/api/tracking/dossiers/${encodeURIComponent(view.code)}/rating`, { method: "POST", token: entry.access_token, body: { score: Number(fields.value("score")), comment: fields.value("comment") } });
      formEl.replaceWith(h("p", { class: "notice ok", role: "status", i18n: "rating.thanks" }));
      announce("rating.thanks");
    } catch (error) {
      problem(error, status);
    }
  });
  return card("rating.title", formEl);
}

// -- files, receipt, withdrawal ----------------------------------------------------------------------------
function filesCard(view) {
  if (!view.files.length) return null;
  const names = Object.fromEntries(view.documents.map((d) => [d.component_id, d.name]));
  return card(
    "mine.files",
    h(
      "ul",
      { class: "files" },
      view.files.map((f) =>
        h(
          "li",
          { class: "file" },
          h("span", { class: "name", text: f.file_name }),
          h("span", fileState(f)),
          h("span", { class: "state hint" }, names[f.component_id] || f.component_id, f.supplement ? h("span", { class: "badge muted", i18n: "mine.supplementFile" }) : null),
        ),
      ),
    ),
  );
}

function otherActions(view) {
  const box = h("div", { class: "receipt-box" });
  const actions = h("div", { class: "actions" });
  if (view.code) {
    const show = h("button", { type: "button", class: "button secondary", id: "show-receipt", "aria-expanded": "false", i18n: "receipt.show" });
    show.addEventListener("click", () => {
      const opened = show.getAttribute("aria-expanded") === "true";
      show.setAttribute("aria-expanded", String(!opened));
      box.replaceChildren(...(opened ? [] : [h("h2", { i18n: "receipt.title" }), receiptViewer(entry.id, entry.access_token, view.code)]));
    });
    actions.append(show, h("a", { href: `/tra-cuu.html?ma=${encodeURIComponent(view.code)}`, i18n: "apply.publicLookup" }));
  }
  if (WITHDRAWABLE.includes(view.status) && !view.withdrawal_requested_at) {
    const withdraw = h("button", { type: "button", class: "button secondary", id: "withdraw", i18n: "mine.withdraw" });
    withdraw.addEventListener("click", () => withdrawDialog());
    actions.append(withdraw);
  }
  return actions.children.length ? h("div", {}, actions, box) : null;
}

async function withdrawDialog() {
  const fields = new FieldSet([{ name: "reason", label: ["mine.withdrawReason"], kind: "textarea", required: true, minLength: 3, maxLength: 2000 }]);
  const done = await openDialog({
    title: "mine.withdrawTitle",
    body: [h("p", { i18n: "mine.withdrawLead" }), ...fields.render()],
    confirm: "mine.withdrawConfirm",
    danger: true,
    onConfirm: async () => {
      if (fields.validate().length) return false;
      await api(`/api/submission/dossiers/${entry.id}/withdraw`, { method: "POST", token: entry.access_token, body: { reason: fields.value("reason") } });
      return true;
    },
  });
  if (!done) return;
  announce("mine.withdrawSent");
  const { answer } = await poll(() => api(`/api/submission/dossiers/${entry.id}`, { token: entry.access_token }), (v) => v.status === "WITHDRAWN");
  if (answer) render(answer);
  focusOn($("#dossier-facts"));
}

// -- start -------------------------------------------------------------------------------------------------
async function start() {
  const hash = fragment();
  const id = hash.get("id");
  $("#access").hidden = true;
  $("#list").hidden = true;
  root.replaceChildren();
  problemBox.replaceChildren();
  if (!id) {
    showList();
    showAccess("");
    return;
  }
  const known = findDossier(id);
  if (!known) {
    showAccess(id);
    return;
  }
  const view = await open(known);
  const outcome = hash.get("thanh-toan");
  if (view && outcome) await paymentReturn(outcome, hash.get("giao-dich"));
}

window.addEventListener("hashchange", start);
start();
