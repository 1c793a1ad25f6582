// Feedback and petitions (phản ánh, kiến nghị): send one, read the answered ones.
import { api, problemMessage } from "../lib/api.js";
import { $, h, params, isBusy, setBusy } from "../lib/dom.js";
import { initPage, announce, focusOn } from "../lib/layout.js";
import { FieldSet, renderSummary } from "../lib/fields.js";
import { dateTime } from "../lib/format.js";
import { pagedList } from "../lib/paged.js";

initPage();

const fields = new FieldSet([
  { name: "title", label: ["feedback.fieldTitle"], kind: "text", required: true, minLength: 5, maxLength: 200 },
  { name: "content", label: ["feedback.fieldContent"], kind: "textarea", required: true, minLength: 10, maxLength: 5000 },
  { name: "contact", label: ["feedback.fieldContact"], hint: ["feedback.fieldContactHint"], kind: "text", required: true, minLength: 5, maxLength: 200, autocomplete: "email" },
  { name: "procedure_code", label: ["feedback.fieldProcedure"], kind: "text", maxLength: 40, attrs: { spellcheck: "false" } },
  { name: "dossier_code", label: ["feedback.fieldDossier"], kind: "text", maxLength: 60, attrs: { spellcheck: "false" } },
]);
$("#feedback-fields").append(...fields.render());
fields.fill({ procedure_code: params().get("thu-tuc") || "", dossier_code: params().get("ma") || "" });

const form = $("#feedback-form");
const summary = $("#feedback-errors");
const status = $("#feedback-status");

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const button = form.querySelector("button[type=submit]");
  if (isBusy(button)) return;
  const problems = fields.validate();
  renderSummary(summary, problems, [fields]);
  if (problems.length) return;
  const body = {};
  for (const [name, value] of Object.entries(fields.values())) if (value) body[name] = value;
  setBusy(button, true);
  try {
    await api("/api/tracking/feedback", { method: "POST", body });
    form.reset();
    status.replaceChildren(h("p", { class: "notice ok", i18n: "feedback.sent" }));
    announce("feedback.sent");
  } catch (error) {
    if (error.code === "validation_failed" && error.errors.length) {
      const server = error.errors.map(({ field, message }) => {
        const found = ["error.fieldService", { message }];
        const name = fields.nameFor(field);
        if (name) fields.mark(name, found);
        return { name, message: found };
      });
      renderSummary(summary, server, [fields]);
    } else {
      const [key, args] = problemMessage(error);
      status.replaceChildren(h("p", { class: "notice error", i18n: key, args }));
      focusOn(status);
    }
  } finally {
    setBusy(button, false);
  }
});

// -- answered feedback ----------------------------------------------------------------------------------
function answered(f) {
  return h(
    "article",
    { class: "card", "aria-labelledby": `fb-${f.id}` },
    h("h3", { id: `fb-${f.id}`, text: f.title }),
    h("p", { class: "hint", i18n: "feedback.sentAt", args: { at: dateTime(f.created_at) } }),
    h("p", { text: f.content }),
    h("div", { class: "notice ok" }, h("p", {}, h("strong", { i18n: "feedback.answer" })), h("p", { text: f.answer || "" }), h("p", { class: "hint", i18n: "feedback.answeredAt", args: { at: dateTime(f.answered_at) } })),
  );
}

pagedList({
  list: $("#answered"),
  more: $("#more"),
  path: "/api/tracking/feedback",
  read: (path) => api(path),
  item: answered,
  empty: "feedback.none",
})();
