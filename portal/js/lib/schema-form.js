// The online form of a procedure, generated from its JSON Schema (draft 2020-12, restricted: sections
// one level deep, string / integer / boolean / enum leaves). Sections become <fieldset><legend>.
import { h } from "./dom.js";
import { FieldSet } from "./fields.js";

const PREFIX = "form_data";

function leafSpec(name, node, required) {
  const spec = {
    name,
    label: node.title || name.split(".").pop(),
    hint: node.description || null,
    required,
    minLength: node.minLength,
    maxLength: node.maxLength,
    pattern: node.pattern,
    minimum: node.minimum,
    maximum: node.maximum,
  };
  if (Array.isArray(node.enum)) {
    const labels = node["x-enum-labels"] || node.enum;
    const options = node.enum.map((value, n) => ({ value: String(value), label: String(labels[n] ?? value) }));
    return { ...spec, kind: options.length <= 4 ? "radio" : "select", options, minLength: undefined, maxLength: undefined, pattern: undefined };
  }
  if (node.type === "boolean") return { ...spec, kind: "checkbox" };
  if (node.type === "integer" || node.type === "number") return { ...spec, kind: "integer" };
  if (node.format === "date") return { ...spec, kind: "date", maxLength: undefined };
  if (node.format === "email") return { ...spec, kind: "email" };
  return { ...spec, kind: node.maxLength && node.maxLength > 300 ? "textarea" : "text" };
}

/** The form: `.element` to insert, `.fields` (a FieldSet), `.collect()` -> form_data, `.fill(form_data)`. */
export function schemaForm(schema) {
  const fields = new FieldSet([]);
  const sections = [];
  const loose = [];
  const top = schema?.properties || {};
  const topRequired = new Set(schema?.required || []);
  for (const [key, node] of Object.entries(top)) {
    if (node.type === "object") {
      const required = new Set(node.required || []);
      // an optional section's fields are only required once the section is started
      const sectionRequired = topRequired.has(key);
      const specs = Object.entries(node.properties || {}).map(([leaf, child]) =>
        leafSpec(`${PREFIX}.${key}.${leaf}`, child, required.has(leaf) && sectionRequired),
      );
      const body = specs.map((spec) => fields.renderField(spec));
      sections.push(h("fieldset", { class: "section", dataset: { section: key } }, h("legend", { text: node.title || key }), body));
    } else {
      loose.push(fields.renderField(leafSpec(`${PREFIX}.${key}`, node, topRequired.has(key))));
    }
  }
  const element = h("div", { class: "schema-form", lang: "vi" }, sections, loose.length ? h("fieldset", { class: "section" }, h("legend", { i18n: "form.otherDetails" }), loose) : null);

  function typed(spec, raw) {
    if (spec.kind === "checkbox") return Boolean(raw);
    if (raw === "") return undefined;
    if (spec.kind === "integer" && /^-?\d+$/.test(raw)) return Number(raw);
    return raw;
  }

  function collect() {
    const data = {};
    for (const [name, { spec }] of fields.controls) {
      const value = typed(spec, fields.value(name));
      if (value === undefined) continue;
      const path = name.slice(PREFIX.length + 1).split(".");
      let node = data;
      for (const part of path.slice(0, -1)) node = node[part] ??= {};
      node[path.at(-1)] = value;
    }
    // drop optional sections left untouched (only unticked boxes in them)
    for (const [key, node] of Object.entries(top)) {
      if (node.type === "object" && data[key] && !topRequired.has(key) && Object.values(data[key]).every((v) => v === false)) delete data[key];
    }
    return data;
  }

  function fill(formData = {}) {
    for (const [key, value] of Object.entries(formData)) {
      if (value && typeof value === "object") {
        for (const [leaf, inner] of Object.entries(value)) fields.setValue(`${PREFIX}.${key}.${leaf}`, inner);
      } else fields.setValue(`${PREFIX}.${key}`, value);
    }
  }

  return { element, fields, collect, fill };
}
