// One procedure, everything level 1 shows (steps, components, time, fees, subjects, result, legal
// basis, conditions, where to submit), the templates to download (level 2), the way to apply (3, 4).
import { api, problemMessage } from "../lib/api.js";
import { $, h, fill, params } from "../lib/dom.js";
import { initPage } from "../lib/layout.js";
import { t, onLangChange } from "../lib/i18n.js";
import { money, days } from "../lib/format.js";
import { LEVEL_KEYS, TIER_KEYS, applyLink } from "../lib/catalog.js";
import { dataTable } from "../lib/table.js";

initPage();

const root = $("#procedure");
const code = params().get("ma");

function section(titleKey, ...content) {
  const id = `s-${titleKey.replace(/\W/g, "-")}`;
  return h("section", { class: "card", "aria-labelledby": id }, h("h2", { id, i18n: titleKey }), content);
}

/** The procedure's tables: on a phone, each row a card of its own (nothing to scroll sideways). */
function table(captionKey, headers, rows) {
  return dataTable({ caption: captionKey, hideCaption: true, stacked: true, columns: headers.map(([key, className]) => ({ key, className })), rows });
}

function feeText(procedure) {
  if (!procedure.fee_vnd) return h("span", { i18n: "procedure.noFee" });
  return h("span", { i18n: `feeTiming.${procedure.fee_timing}`, args: { fee: money(procedure.fee_vnd) } });
}

function templateLink(procedure, form) {
  const extension = (form.file_name.split(".").pop() || "").toUpperCase();
  return h(
    "a",
    { href: `/api/catalog/procedures/${encodeURIComponent(procedure.code)}/forms/${encodeURIComponent(form.id)}` },
    h("span", { i18n: "procedure.download" }),
    ` ${form.name} `,
    h("span", { class: "hint", text: `(${extension})` }),
  );
}

function howToApply(procedure) {
  if (procedure.level >= 3) {
    return h(
      "div",
      { class: "notice ok" },
      h("p", { i18n: procedure.level === 4 ? "procedure.onlineLevel4" : "procedure.onlineLevel3" }),
      h("p", {}, h("a", { class: "button", href: applyLink(procedure.code), i18n: "procedure.apply" })),
    );
  }
  return h("div", { class: "notice" }, h("p", { i18n: procedure.level === 2 ? "procedure.level2Note" : "procedure.level1Note" }), procedure.address ? h("p", { i18n: "procedure.submitAt", args: { address: procedure.address } }) : null);
}

function render(procedure) {
  document.title = `${procedure.name} - ${t("brand.portal")}`;
  const formById = Object.fromEntries(procedure.forms.map((f) => [f.id, f]));
  const facts = [
    ["procedure.code", h("code", { text: procedure.code })],
    ["procedure.level", h("span", { i18n: LEVEL_KEYS[procedure.level] })],
    ["procedure.field", procedure.field.name],
    ["procedure.agency", procedure.agency.name],
    ["procedure.tier", h("span", { i18n: TIER_KEYS[procedure.tier] || "tier.other", args: { tier: procedure.tier } })],
    ["procedure.time", h("span", { i18n: "procedure.workingDays", args: { n: days(procedure.processing_days) } })],
    ["procedure.fee", feeText(procedure)],
    ["procedure.subjects", procedure.subjects.join("; ") || "—"],
    ["procedure.result", procedure.result.join("; ") || "—"],
    ["procedure.where", procedure.address || procedure.agency.name],
  ];
  fill(
    root,
    h("h1", { lang: "vi", text: procedure.name }),
    procedure.description ? h("p", { class: "lead", lang: "vi", text: procedure.description }) : null,
    howToApply(procedure),
    section("procedure.general", h("dl", { class: "facts" }, facts.flatMap(([key, value]) => [h("dt", { i18n: key }), h("dd", {}, value)]))),
    procedure.steps.length ? section("procedure.steps", h("ol", { class: "steps", lang: "vi" }, procedure.steps.map((s) => h("li", { text: s })))) : null,
    procedure.methods.length
      ? section(
          "procedure.methods",
          table(
            "procedure.methods",
            [["procedure.channel"], ["procedure.time"], ["procedure.fee"], ["procedure.description"]],
            procedure.methods.map((m) =>
              h(
                "tr",
                {},
                h("td", { i18n: `channel.${m.channel}` }),
                h("td", { i18n: "procedure.workingDays", args: { n: days(m.processing_days) } }),
                h("td", {}, m.fees.length ? m.fees.map((f) => h("div", { text: `${f.name}: ${money(f.amount_vnd)}` })) : "—"),
                h("td", { lang: "vi", text: m.description || "—" }),
              ),
            ),
          ),
        )
      : null,
    section(
      "procedure.components",
      procedure.components.length
        ? table(
            "procedure.components",
            [["procedure.componentName"], ["procedure.originals", "num"], ["procedure.copies", "num"], ["procedure.requiredCol"], ["procedure.template"]],
            procedure.components.map((c) =>
              h(
                "tr",
                {},
                h("td", { lang: "vi", text: c.name }),
                h("td", { class: "num", text: String(c.originals) }),
                h("td", { class: "num", text: String(c.copies) }),
                h("td", { i18n: c.required ? "common.yes" : "procedure.ifApplicable" }),
                h("td", {}, c.form_id && formById[c.form_id] && procedure.level >= 2 ? templateLink(procedure, formById[c.form_id]) : "—"),
              ),
            ),
          )
        : h("p", { i18n: "procedure.noComponents" }),
    ),
    section(
      "procedure.fees",
      procedure.fees.length ? h("ul", {}, procedure.fees.map((f) => h("li", { text: `${f.name}: ${money(f.amount_vnd)}` }))) : null,
      h("p", {}, feeText(procedure)),
    ),
    procedure.conditions ? section("procedure.conditions", h("p", { lang: "vi", text: procedure.conditions })) : null,
    procedure.legal_basis.length
      ? section(
          "procedure.legal",
          table(
            "procedure.legal",
            [["procedure.legalNumber"], ["procedure.legalName"], ["procedure.legalDate"], ["procedure.legalIssuer"]],
            procedure.legal_basis.map((l) => h("tr", {}, h("td", { text: l.number }), h("td", { lang: "vi", text: l.name }), h("td", { text: l.issued_on || "—" }), h("td", { text: l.issuer || "—" }))),
          ),
        )
      : null,
    procedure.level >= 2 && procedure.forms.length
      ? section("procedure.templates", h("ul", {}, procedure.forms.map((f) => h("li", {}, templateLink(procedure, f)))))
      : null,
    procedure.level >= 3 ? h("p", {}, h("a", { class: "button", href: applyLink(procedure.code), i18n: "procedure.apply" })) : null,
  );
  root.removeAttribute("aria-busy");
}

async function load() {
  if (!code) {
    root.replaceChildren(h("p", { class: "notice error", i18n: "procedure.missingCode" }));
    return;
  }
  try {
    const procedure = await api(`/api/catalog/procedures/${encodeURIComponent(code)}`);
    render(procedure);
    onLangChange(() => {
      document.title = `${procedure.name} - ${t("brand.portal")}`;
    });
  } catch (error) {
    const [key, args] = problemMessage(error);
    root.replaceChildren(h("h1", { i18n: "procedure.crumb" }), h("p", { class: "notice error", i18n: key, args }), h("p", {}, h("a", { href: "/", i18n: "notFound.home" })));
    root.removeAttribute("aria-busy");
  }
}

load();
