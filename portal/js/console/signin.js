// The officials' sign-in page, which is also where the identity provider sends them back:
// - "Đăng nhập" starts the OpenID Connect code flow with PKCE (oidc.js) at the provider of /config.json;
// - back with `?code=&state=`: the code is exchanged for the ID token, kept for this tab, and the official
//   goes on to the page they were sent here from (the inbox by default);
// - back from the provider's sign-out, or sent here because the session expired: say so.
// On the local cloud (developer_tools in /config.json, and /local/token answering) two developer aids
// remain: paste a token, or have the dev key sign one for any agency and roles.
import { api, problemMessage } from "../lib/api.js";
import { $, h, params } from "../lib/dom.js";
import { initPage } from "../lib/layout.js";
import { localize } from "../lib/i18n.js";
import { TIER_KEYS } from "../lib/catalog.js";
import { claimsOf, expired, officialOf } from "./claims.js";
import { beginSignIn, completeSignIn, signInSettings, SignInError } from "./oidc.js";
import { agencyName, currentOfficial, justSignedOut, keepToken } from "./session.js";

initPage();

const problemBox = $("#signin-problem");
const statusLine = $("#signin-status");
const start = $("#signin-start");

/** Only a console page is a place to go back to (never another site, never this page). */
function destination(next) {
  return typeof next === "string" && next.startsWith("/can-bo/") && !next.startsWith("/can-bo/dang-nhap") ? next : "/can-bo/";
}

function problem(key, args, kind = "error") {
  problemBox.replaceChildren(h("p", { class: `notice ${kind}`, i18n: key, args }));
}

function failed(error) {
  statusLine.replaceChildren();
  start.disabled = false;
  if (error instanceof SignInError) problem(error.key, error.args);
  else problem("error.unexpected");
  start.focus();
}

start.addEventListener("click", async () => {
  start.disabled = true;
  problemBox.replaceChildren();
  localize(statusLine, "signin.redirecting");
  try {
    await beginSignIn(destination(params().get("next")));
  } catch (error) {
    failed(error);
  }
});

async function returned(query) {
  // the code is good once: out of the address bar (and the history) before anything else
  history.replaceState(null, "", location.pathname);
  start.disabled = true;
  localize(statusLine, "signin.completing");
  try {
    const { token, next } = await completeSignIn(query);
    const claims = claimsOf(token);
    if (!officialOf(claims)) throw new SignInError("signin.noAgency");
    if (expired(claims)) throw new SignInError("signin.expired");
    keepToken(token);
    location.replace(destination(next));
  } catch (error) {
    failed(error);
  }
}

function showSignedIn(official) {
  const line = h("p", { class: "notice ok", i18n: "signin.signedInAs", args: { name: official.name, agency: official.agency } });
  $("#signed-in").replaceChildren(line, h("p", {}, h("a", { href: "/can-bo/", i18n: "signin.continue" })));
  agencyName(official.agency).then((name) => localize(line, "signin.signedInAs", { name: official.name, agency: name }));
}

const query = params();
if (query.has("code") || query.has("error")) {
  returned(query);
} else if (justSignedOut()) {
  problem("signin.signedOut", {}, "ok");
} else if (query.get("ly-do") === "het-han") {
  problem("signin.expired", {}, "warn");
} else {
  const official = currentOfficial();
  if (official) showSignedIn(official);
}

// -- developer aids, only on the local cloud ------------------------------------------------------------

function fieldError(el, key, args) {
  if (!key) {
    el.hidden = true;
    el.textContent = "";
    return;
  }
  localize(el, key, args);
  el.hidden = false;
}

async function accept(token, errorEl) {
  const claims = claimsOf(token);
  if (!officialOf(claims)) return fieldError(errorEl, "signin.badToken");
  if (expired(claims)) return fieldError(errorEl, "signin.expiredToken");
  try {
    // the service is the judge: one cheap call with the token
    await api("/api/tracking/dossiers?limit=1", { token });
  } catch (error) {
    if (error.status === 401) return fieldError(errorEl, "signin.rejectedToken");
    if (error.status !== 403) {
      const [key, args] = problemMessage(error);
      return fieldError(errorEl, key, args);
    }
  }
  keepToken(token);
  location.assign(destination(params().get("next")));
}

let agencies = [];

function plain(text) {
  return text.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d");
}

function fillAgencies(filter = "") {
  const select = $("#dev-agency");
  const chosen = select.value;
  const needle = plain(filter.trim());
  select.replaceChildren();
  for (const tier of ["province", "district", "commune"]) {
    const group = h("optgroup", { i18nAttr: { label: TIER_KEYS[tier] } });
    for (const a of agencies.filter((x) => x.tier === tier)) {
      if (!needle || plain(`${a.name} ${a.code}`).includes(needle)) group.append(h("option", { value: a.code, text: `${a.name} (${a.code})` }));
    }
    if (group.children.length) select.append(group);
  }
  if ([...select.options].some((o) => o.value === chosen)) select.value = chosen;
}

async function developerTools() {
  let settings;
  try {
    settings = await signInSettings();
  } catch {
    return;
  }
  if (!settings.developer_tools) return;
  try {
    // 422 (parameters missing) means the endpoint exists; anything else means not here
    const probe = await fetch("/local/token", { headers: { Accept: "application/json" } });
    if (probe.status !== 422 && probe.status !== 200) return;
    agencies = (await api("/local/structure")).agencies || [];
  } catch {
    return;
  }
  fillAgencies();
  $("#dev").hidden = false;
  $("#token-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const textarea = $("#token");
    const error = $("#token-error");
    const token = textarea.value.trim().replace(/^Bearer\s+/i, "");
    if (!token) {
      fieldError(error, "signin.tokenRequired");
      textarea.setAttribute("aria-invalid", "true");
      textarea.focus();
      return;
    }
    textarea.removeAttribute("aria-invalid");
    fieldError(error, null);
    accept(token, error);
  });
  $("#dev-filter").addEventListener("input", (event) => fillAgencies(event.target.value));
  $("#dev-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    const error = $("#dev-error");
    const roles = [...form.querySelectorAll("input[name=role]:checked")].map((i) => i.value);
    if (!form.elements.agency.value) return fieldError(error, "signin.devNoAgency");
    if (!roles.length) return fieldError(error, "signin.devNoRole");
    fieldError(error, null);
    const query = new URLSearchParams({ agency: form.elements.agency.value, name: form.elements.name.value.trim() || "Cán bộ" });
    for (const role of roles) query.append("role", role);
    try {
      const { token } = await api(`/local/token?${query}`);
      await accept(token, error);
    } catch (failure) {
      const [key, args] = problemMessage(failure);
      fieldError(error, key, args);
    }
  });
}

developerTools();
