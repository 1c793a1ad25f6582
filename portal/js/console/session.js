// An official's session: the ID token the identity provider issued (an RS256 JWT), kept in this tab's
// sessionStorage until it expires or the official signs out; its claims shown in the header; every call
// to the tracking API made with it.
import { api, ApiError } from "../lib/api.js";
import { h } from "../lib/dom.js";
import { initPage } from "../lib/layout.js";
import { claimsOf, expired, officialOf } from "./claims.js";
import { signOutUrl } from "./oidc.js";

const KEY = "dvc.official.token";
const SIGNED_OUT = "dvc.signin.signedOut";
export const SIGN_IN = "/can-bo/dang-nhap.html";

try {
  localStorage.removeItem(KEY); // where earlier versions kept the token, beyond the tab's life
} catch {
  /* storage unavailable */
}

export function storedToken() {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function keepToken(token) {
  sessionStorage.setItem(KEY, token);
}

function forgetToken() {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    /* storage unavailable */
  }
}

/** The official a stored, unexpired token names, or null. */
export function currentOfficial() {
  const token = storedToken();
  const claims = token ? claimsOf(token) : null;
  return claims && !expired(claims) ? officialOf(claims) : null;
}

/** Back to the sign-in page (the session expired, or there is none), to return here afterwards. */
export function backToSignIn(reason) {
  forgetToken();
  const next = encodeURIComponent(location.pathname + location.search);
  location.assign(`${SIGN_IN}?next=${next}${reason ? `&ly-do=${reason}` : ""}`);
}

/** Sign out: forget the token here, then end the provider's session too (its sign-out page). */
export async function signOut() {
  forgetToken();
  sessionStorage.setItem(SIGNED_OUT, "1");
  let target = SIGN_IN;
  try {
    target = await signOutUrl();
  } catch {
    /* no provider settings: at least this browser has forgotten the token */
  }
  location.assign(target);
}

/** True once, on the page the provider's sign-out returned to. */
export function justSignedOut() {
  const flag = sessionStorage.getItem(SIGNED_OUT);
  sessionStorage.removeItem(SIGNED_OUT);
  return Boolean(flag);
}

let agencies = null;
export async function agencyList() {
  agencies ??= api("/api/tracking/agencies").catch(() => []);
  return agencies;
}

export async function agencyName(code) {
  const found = (await agencyList()).find((a) => a.code === code);
  return found ? found.name : code;
}

/** The header's "who is signed in": name, agency, and the sign-out button. */
export function showOfficial(official) {
  const who = document.getElementById("who");
  if (!who) return;
  const place = h("span", { class: "agency-name", text: official.agency });
  agencyName(official.agency).then((name) => {
    place.textContent = name;
  });
  const out = h("button", { type: "button", class: "lang-switch", i18n: "signin.signOut" });
  out.addEventListener("click", () => signOut());
  who.replaceChildren(h("span", {}, h("span", { text: official.name }), " · ", place), out);
}

/** Start a console page: the signed-in official, or off to the sign-in page. */
export function initConsole() {
  initPage();
  const token = storedToken();
  const claims = token ? claimsOf(token) : null;
  const official = officialOf(claims);
  if (!official || expired(claims)) {
    backToSignIn(claims ? "het-han" : "");
    return null;
  }
  showOfficial(official);
  const left = typeof claims.exp === "number" ? claims.exp * 1000 - Date.now() : null;
  // an open page notices the end of the session by itself (a timer beyond ~24 days would fire at once)
  if (left !== null && left < 2 ** 31 - 1) setTimeout(() => backToSignIn("het-han"), left);
  return {
    token,
    claims,
    official,
    roles: official.roles,
    /** The tracking API with the official's token; a refused token ends the session. */
    async call(path, options = {}) {
      try {
        return await api(path, { ...options, token });
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) backToSignIn("het-han");
        throw error;
      }
    },
  };
}
