// Form fields described as data, rendered as labelled controls, validated inline in the current
// language, and matched to the server's `errors[].field` ("applicant.phone", "form_data.a.b").
import { h } from "./dom.js";
import { t } from "./i18n.js";

let sequence = 0;
const EMAIL = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/;

/**
 * A field: { name, label: [key, args] | text, hint, kind: text|textarea|integer|date|email|tel|select|radio|checkbox,
 *   required, minLength, maxLength, pattern, minimum, maximum, options: [{value, label: [key] | text}],
 *   check(value) -> [key, args] | null, attrs }
 */
export class FieldSet {
  constructor(specs, { summary } = {}) {
    this.specs = specs;
    this.summary = summary; // element that shows the list of errors
    this.controls = new Map(); // name -> { spec, root, inputs, error }
  }

  render() {
    return this.specs.map((spec) => this.renderField(spec));
  }

  renderField(spec) {
    const id = `f${++sequence}`;
    const labelNodes = (tag = "span") => [
      textOf(spec.label, tag),
      spec.required && (spec.kind !== "checkbox" || spec.mustCheck) ? h("span", { class: "req", "aria-hidden": "true" }, " *") : null,
    ];
    const hint = spec.hint ? h("span", { class: "hint", id: `${id}-hint` }, textOf(spec.hint)) : null;
    const error = h("span", { class: "error-text", id: `${id}-error`, hidden: true });
    const describedBy = [hint ? hint.id : null, error.id].filter(Boolean).join(" ");
    let root;
    let inputs;
    if (spec.kind === "radio") {
      inputs = spec.options.map((option, n) =>
        h("input", { type: "radio", id: `${id}-${n}`, name: spec.name, value: option.value, "aria-describedby": describedBy }),
      );
      root = h(
        "fieldset",
        { class: "field", dataset: { field: spec.name }, role: "radiogroup", "aria-required": spec.required ? "true" : null },
        h("legend", {}, labelNodes()),
        hint,
        error,
        h("div", { class: "choices-inline" }, spec.options.map((option, n) => h("label", { class: "choice", for: inputs[n].id }, inputs[n], textOf(option.label)))),
      );
    } else if (spec.kind === "checkbox") {
      const input = h("input", { type: "checkbox", id, name: spec.name, "aria-describedby": describedBy });
      inputs = [input];
      root = h("div", { class: "field", dataset: { field: spec.name } }, error, h("label", { class: "choice", for: id }, input, h("span", {}, labelNodes())), hint);
    } else {
      const input = createInput(spec, id, describedBy);
      inputs = [input];
      root = h("div", { class: "field", dataset: { field: spec.name } }, h("label", { for: id }, labelNodes()), hint, error, input);
    }
    const control = { spec, root, inputs, error, touched: false };
    this.controls.set(spec.name, control);
    for (const input of inputs) {
      input.addEventListener("blur", () => {
        control.touched = true;
        this.check(spec.name);
      });
      input.addEventListener(["radio", "checkbox", "select", "file"].includes(spec.kind) ? "change" : "input", () => {
        if (control.touched || !control.error.hidden) this.check(spec.name);
      });
    }
    return root;
  }

  value(name) {
    const { spec, inputs } = this.controls.get(name);
    if (spec.kind === "radio") return inputs.find((i) => i.checked)?.value ?? "";
    if (spec.kind === "checkbox") return inputs[0].checked;
    if (spec.kind === "file") return inputs[0].files?.[0]?.name || "";
    return inputs[0].value.trim();
  }

  setValue(name, value) {
    const control = this.controls.get(name);
    if (!control || value == null) return;
    const { spec, inputs } = control;
    if (spec.kind === "radio") for (const input of inputs) input.checked = input.value === String(value);
    else if (spec.kind === "checkbox") inputs[0].checked = Boolean(value);
    else inputs[0].value = String(value);
  }

  values() {
    const out = {};
    for (const name of this.controls.keys()) out[name] = this.value(name);
    return out;
  }

  fill(values = {}) {
    for (const [name, value] of Object.entries(values)) this.setValue(name, value);
  }

  /** The message for one field as [key, args], or null when valid. */
  problem(name) {
    const { spec } = this.controls.get(name);
    const value = this.value(name);
    const field = typeof spec.label === "string" ? spec.label : { $t: spec.label[0], args: spec.label[1] };
    if (spec.kind === "checkbox") return spec.required && spec.mustCheck && !value ? ["v.mustCheck", { field }] : null;
    if (value === "") {
      if (!spec.required) return null;
      const key = { radio: "v.choose", select: "v.choose", file: "v.chooseFile" }[spec.kind] || "v.required";
      return [key, { field }];
    }
    if (spec.minLength && [...value].length < spec.minLength) return ["v.minLength", { field, n: spec.minLength }];
    if (spec.maxLength && [...value].length > spec.maxLength) return ["v.maxLength", { field, n: spec.maxLength }];
    if (spec.kind === "integer") {
      if (!/^-?\d+$/.test(value)) return ["v.integer", { field }];
      const n = Number(value);
      if (spec.minimum != null && n < spec.minimum) return ["v.minimum", { field, n: spec.minimum }];
      if (spec.maximum != null && n > spec.maximum) return ["v.maximum", { field, n: spec.maximum }];
    }
    if (spec.kind === "date" && (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value)))) return ["v.date", { field }];
    if (spec.kind === "email" && !EMAIL.test(value)) return ["v.email", { field }];
    if (spec.pattern && !new RegExp(spec.pattern, "u").test(value)) return [spec.patternMessage || "v.pattern", { field }];
    return spec.check ? spec.check(value) : null;
  }

  check(name) {
    const found = this.problem(name);
    this.mark(name, found);
    return found;
  }

  mark(name, found) {
    const control = this.controls.get(name);
    if (!control) return;
    const { error, inputs } = control;
    if (found) {
      const [key, args] = found;
      error.dataset.i18n = key;
      error.dataset.i18nArgs = JSON.stringify(args || {});
      error.textContent = t(key, args);
      error.hidden = false;
    } else {
      delete error.dataset.i18n;
      error.textContent = "";
      error.hidden = true;
    }
    for (const input of inputs) {
      if (found) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
    }
  }

  /** Check every field; show the summary; answer whether all is well. */
  validate() {
    const problems = [];
    for (const name of this.controls.keys()) {
      const found = this.check(name);
      if (found) problems.push({ name, message: found });
    }
    return problems;
  }

  /** The control a server error's `field` points at: the field itself, or the first one inside it. */
  nameFor(field) {
    if (this.controls.has(field)) return field;
    return [...this.controls.keys()].find((name) => name.startsWith(`${field}.`)) || null;
  }

  firstInput(name) {
    return this.controls.get(name)?.inputs[0] || null;
  }
}

function createInput(spec, id, describedBy) {
  const common = {
    id,
    name: spec.name,
    "aria-describedby": describedBy,
    "aria-required": spec.required ? "true" : null,
    autocomplete: spec.autocomplete || null,
    ...(spec.attrs || {}),
  };
  if (spec.kind === "textarea") return h("textarea", { ...common, rows: 4 });
  if (spec.kind === "select") {
    return h(
      "select",
      common,
      h("option", { value: "", i18n: "form.choose" }),
      spec.options.map((o) => h("option", { value: o.value }, textOf(o.label))),
    );
  }
  const typeOf = { date: "date", email: "email", tel: "tel", integer: "text", file: "file", datetime: "datetime-local" };
  return h("input", {
    ...common,
    type: typeOf[spec.kind] || "text",
    inputmode: spec.kind === "integer" ? "numeric" : spec.inputmode || null,
    spellcheck: spec.kind === "email" || spec.kind === "tel" ? "false" : null,
  });
}

/** A label or hint given as an i18n [key, args] pair or as plain (Vietnamese) text. */
export function textOf(label, tag = "span") {
  if (label == null) return null;
  if (Array.isArray(label)) return h(tag, { i18n: label[0], args: label[1] });
  return h(tag, { text: String(label) });
}

/** The error summary: a heading, a link to each field, and focus moved to it. */
export function renderSummary(container, problems, fieldSets, headingKey = "form.errorsTitle") {
  container.replaceChildren();
  if (!problems.length) {
    container.hidden = true;
    return;
  }
  const items = problems.map(({ name, message }) => {
    const [key, args] = message;
    const input = name ? fieldSets.map((fs) => fs.firstInput(name)).find(Boolean) : null;
    if (!input) return h("li", { i18n: key, args });
    const link = h("a", { href: `#${input.id}`, i18n: key, args });
    link.addEventListener("click", (event) => {
      event.preventDefault();
      input.focus();
      input.scrollIntoView({ block: "center" });
    });
    return h("li", {}, link);
  });
  const heading = h("h2", { i18n: headingKey, args: { n: problems.length } });
  container.append(heading, h("ul", {}, items));
  container.hidden = false;
  container.setAttribute("tabindex", "-1");
  container.focus();
}
