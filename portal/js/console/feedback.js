// Answering feedback and petitions waiting for this agency.
import { problemMessage } from "../lib/api.js";
import { $, h, isBusy, setBusy } from "../lib/dom.js";
import { announce, focusOn } from "../lib/layout.js";
import { FieldSet, renderSummary } from "../lib/fields.js";
import { dateTime } from "../lib/format.js";
import { pagedList } from "../lib/paged.js";
import { initConsole } from "./session.js";

const session = initConsole();

function item(f) {
  const fields = new FieldSet([
    { name: "answer", label: ["answer.field"], kind: "textarea", required: true, minLength: 5, maxLength: 5000 },
    { name: "public", label: ["answer.public"], kind: "checkbox" },
  ]);
  const summary = h("div", { class: "error-summary", hidden: true });
  const form = h("form", { novalidate: true }, summary, ...fields.render(), h("button", { type: "submit", class: "button", i18n: "answer.send" }));
  fields.setValue("public", true);
  const article = h(
    "article",
    { class: "card", "aria-labelledby": `fb-${f.id}` },
    h("h2", { id: `fb-${f.id}`, text: f.title }),
    h("p", { class: "hint", i18n: "feedback.sentAt", args: { at: dateTime(f.created_at) } }),
    f.procedure_code ? h("p", { class: "hint", i18n: "answer.procedure", args: { code: f.procedure_code } }) : null,
    h("p", { text: f.content }),
    form,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    if (isBusy(button)) return;
    const problems = fields.validate();
    renderSummary(summary, problems, [fields]);
    if (problems.length) return;
    setBusy(button, true);
    try {
      await session.call(`/api/tracking/feedback/${encodeURIComponent(f.id)}/answer`, { method: "POST", body: { answer: fields.value("answer"), public: fields.value("public") } });
      const done = h("p", { class: "notice ok", tabindex: "-1", i18n: "answer.done", args: { title: f.title } });
      form.replaceWith(done);
      focusOn(done);
      announce("answer.done", { title: f.title });
    } catch (error) {
      setBusy(button, false);
      const [key, args] = problemMessage(error);
      renderSummary(summary, [{ name: null, message: [key, args] }], []);
    }
  });
  return article;
}

if (session) {
  pagedList({
    list: $("#open-feedback"),
    more: $("#more"),
    path: "/api/tracking/feedback/open",
    read: (path) => session.call(path),
    item,
    empty: "answer.none",
    problemBox: $("#answer-status"),
  })();
}
