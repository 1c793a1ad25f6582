// Answering feedback and petitions waiting for this agency.
import { problemMessage } from "../lib/api.js";
import { $, h } from "../lib/dom.js";
import { announce, focusOn } from "../lib/layout.js";
import { FieldSet, renderSummary } from "../lib/fields.js";
import { dateTime } from "../lib/format.js";
import { initConsole } from "./session.js";

const session = initConsole();
const list = $("#open-feedback");
const more = $("#more");
const status = $("#answer-status");
let cursor = null;

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
    const problems = fields.validate();
    renderSummary(summary, problems, [fields]);
    if (problems.length) return;
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      await session.call(`/api/tracking/feedback/${encodeURIComponent(f.id)}/answer`, { method: "POST", body: { answer: fields.value("answer"), public: fields.value("public") } });
      const done = h("p", { class: "notice ok", tabindex: "-1", i18n: "answer.done", args: { title: f.title } });
      form.replaceWith(done);
      focusOn(done);
      announce("answer.done", { title: f.title });
    } catch (error) {
      button.disabled = false;
      const [key, args] = problemMessage(error);
      renderSummary(summary, [{ name: null, message: [key, args] }], []);
    }
  });
  return article;
}

async function load() {
  list.setAttribute("aria-busy", "true");
  try {
    const page = await session.call(`/api/tracking/feedback/open?limit=10${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    if (!cursor && !page.items.length) list.replaceChildren(h("p", { i18n: "answer.none" }));
    list.append(...page.items.map(item));
    cursor = page.next_cursor;
    more.hidden = !cursor;
  } catch (error) {
    const [key, args] = problemMessage(error);
    status.replaceChildren(h("p", { class: "notice error", i18n: key, args }));
  } finally {
    list.removeAttribute("aria-busy");
  }
}

if (session) {
  more.addEventListener("click", load);
  load();
}
