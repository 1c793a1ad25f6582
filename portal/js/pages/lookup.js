// Public lookup by dossier code (the receipt's QR code points here: tra-cuu.html?ma=CODE).
import { api, problemMessage } from "../lib/api.js";
import { $, h, params } from "../lib/dom.js";
import { initPage, announce } from "../lib/layout.js";
import { localize } from "../lib/i18n.js";
import { dateTime } from "../lib/format.js";
import { statusBadge } from "../lib/status.js";

initPage();

const form = $("#lookup-form");
const input = $("#code");
const error = $("#code-error");
const result = $("#lookup-result");
const CODE = /^[0-9A-Za-z.\-]{5,60}$/;

function invalid(key) {
  localize(error, key);
  error.hidden = false;
  input.setAttribute("aria-invalid", "true");
  input.focus();
}

async function lookup(code) {
  error.hidden = true;
  input.removeAttribute("aria-invalid");
  if (!code) return invalid("lookup.required");
  if (!CODE.test(code)) return invalid("lookup.badCode");
  history.replaceState(null, "", `?ma=${encodeURIComponent(code)}`);
  result.setAttribute("aria-busy", "true");
  try {
    const found = await api(`/api/tracking/public/${encodeURIComponent(code)}`);
    const facts = [
      ["lookup.code", h("strong", { class: "mono", text: found.code })],
      ["lookup.procedure", found.procedure_name],
      ["lookup.status", statusBadge(found.status)],
      ["lookup.agency", found.agency_name],
      ["lookup.applicant", found.applicant_masked],
      ["lookup.received", dateTime(found.received_at)],
      ["lookup.due", dateTime(found.due_at)],
    ];
    result.replaceChildren(
      h("section", { class: "card", "aria-labelledby": "found-title" }, h("h2", { id: "found-title", i18n: "lookup.found" }), h("dl", { class: "facts" }, facts.flatMap(([key, value]) => [h("dt", { i18n: key }), h("dd", {}, value)]))),
    );
    announce("lookup.foundStatus", { status: { $t: `status.${found.status}` } });
  } catch (failure) {
    const [key, args] = failure.status === 404 ? ["lookup.notFound", {}] : problemMessage(failure);
    result.replaceChildren(h("p", { class: "notice error", i18n: key, args }));
  } finally {
    result.removeAttribute("aria-busy");
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  lookup(input.value.trim());
});

const initial = params().get("ma");
if (initial) {
  input.value = initial;
  lookup(initial.trim());
}
