// Public lookup by dossier code. The receipt's QR code points here with the check code printed beside
// it (tra-cuu.html?ma=CODE&check=CHECK): without a check only the status is answered (API.md), and a
// dossier kept in this browser is looked up with its own access token instead.
import { api, problemMessage } from "../lib/api.js";
import { $, h, params } from "../lib/dom.js";
import { initPage, announce } from "../lib/layout.js";
import { localize } from "../lib/i18n.js";
import { dateTime } from "../lib/format.js";
import { statusBadge } from "../lib/status.js";
import { dossiers } from "../lib/store.js";

initPage();

// the form's two fields, each an input with its error text beside it
const codeField = { input: $("#code"), error: $("#code-error") };
const checkField = { input: $("#check"), error: $("#check-error") };
const result = $("#lookup-result");
const CODE = /^[0-9A-Za-z.\-]{5,60}$/;
const CHECK = /^[0-9A-Za-z]{8}$/;

function invalid({ input, error }, key) {
  localize(error, key);
  error.hidden = false;
  input.setAttribute("aria-invalid", "true");
  input.focus();
}

function tokenFor(code) {
  return dossiers().find((d) => d.code === code && d.access_token)?.access_token;
}

async function lookup(code, check) {
  for (const { input, error } of [codeField, checkField]) {
    error.hidden = true;
    input.removeAttribute("aria-invalid");
  }
  if (!code) return invalid(codeField, "lookup.required");
  if (!CODE.test(code)) return invalid(codeField, "lookup.badCode");
  if (check && !CHECK.test(check.replace(/[\s-]/g, ""))) return invalid(checkField, "lookup.badCheck");
  const query = new URLSearchParams({ ma: code, ...(check ? { check } : {}) });
  history.replaceState(null, "", `?${query}`);
  result.setAttribute("aria-busy", "true");
  try {
    const path = `/api/tracking/public/${encodeURIComponent(code)}${check ? `?check=${encodeURIComponent(check)}` : ""}`;
    const found = await api(path, { token: tokenFor(code) });
    const full = "procedure_name" in found;
    const facts = [
      ["lookup.code", h("strong", { class: "mono", text: found.code })],
      ["lookup.status", statusBadge(found.status)],
      ...(full
        ? [
            ["lookup.procedure", found.procedure_name],
            ["lookup.agency", found.agency_name],
            ["lookup.applicant", found.applicant_masked],
            ["lookup.received", dateTime(found.received_at)],
            ["lookup.due", dateTime(found.due_at)],
          ]
        : []),
    ];
    result.replaceChildren(
      h(
        "section",
        { class: "card", "aria-labelledby": "found-title" },
        h("h2", { id: "found-title", i18n: "lookup.found" }),
        h("dl", { class: "facts" }, facts.flatMap(([key, value]) => [h("dt", { i18n: key }), h("dd", {}, value)])),
        full ? null : h("p", { class: "notice", id: "lookup-more", i18n: check ? "lookup.wrongCheck" : "lookup.statusOnly" }),
      ),
    );
    announce("lookup.foundStatus", { status: { $t: `status.${found.status}` } });
  } catch (failure) {
    const [key, args] = failure.status === 404 ? ["lookup.notFound", {}] : problemMessage(failure);
    result.replaceChildren(h("p", { class: "notice error", i18n: key, args }));
  } finally {
    result.removeAttribute("aria-busy");
  }
}

$("#lookup-form").addEventListener("submit", (event) => {
  event.preventDefault();
  lookup(codeField.input.value.trim(), checkField.input.value.trim());
});

const initial = params().get("ma");
if (initial) {
  codeField.input.value = initial;
  checkField.input.value = params().get("check") || "";
  lookup(initial.trim(), checkField.input.value.trim());
}
