// Officials sign in with OpenID Connect: the authorization code flow with PKCE (S256), as a public client
// (no secret: this runs in the browser). The provider's addresses come from the portal's /config.json
// (infra/signin.py writes it: the local identity provider simulator, or the Cognito user pool's domain on
// AWS); nothing here knows which one it talks to.
import { claimsOf } from "./claims.js";

const PENDING = "dvc.signin.pending";
const FIELDS = ["issuer", "authorize_url", "token_url", "logout_url", "client_id", "redirect_uri", "logout_redirect_uri", "scopes"];

/** A sign-in that did not complete; `key` is the message to show (js/i18n/officials.js). */
export class SignInError extends Error {
  constructor(key, args = {}) {
    super(key);
    this.key = key;
    this.args = args;
  }
}

let settings;
/** The officials' sign-in settings of this portal (`officials` in /config.json). */
export function signInSettings() {
  settings ??= fetch("/config.json", { headers: { Accept: "application/json" }, cache: "no-cache" })
    .then((answer) => (answer.ok ? answer.json() : null))
    .catch(() => null)
    .then((config) => {
      const officials = config?.officials;
      if (!officials || FIELDS.some((name) => typeof officials[name] !== "string" || !officials[name])) {
        throw new SignInError("signin.configMissing");
      }
      return officials;
    });
  return settings;
}

function base64url(bytes) {
  return btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** 32 random bytes: 43 characters, enough for a state, a nonce or a PKCE verifier (RFC 7636: 43-128). */
function randomText() {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

async function challengeOf(verifier) {
  return base64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
}

/** Off to the provider's sign-in page; back at `redirect_uri` with a code (completeSignIn). */
export async function beginSignIn(next) {
  const config = await signInSettings();
  const home = new URL(config.redirect_uri);
  if (home.origin !== location.origin) {
    // the state is kept in this origin's session storage: start from the origin the provider returns to
    location.assign(`${home.href}?next=${encodeURIComponent(next)}`);
    return;
  }
  if (!globalThis.crypto?.subtle) throw new SignInError("signin.insecure");
  const pending = { state: randomText(), nonce: randomText(), verifier: randomText(), next };
  sessionStorage.setItem(PENDING, JSON.stringify(pending));
  const url = new URL(config.authorize_url);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: config.client_id,
    redirect_uri: config.redirect_uri,
    scope: config.scopes,
    state: pending.state,
    nonce: pending.nonce,
    code_challenge: await challengeOf(pending.verifier),
    code_challenge_method: "S256",
  }).toString();
  location.assign(url.href);
}

function takePending() {
  let pending = null;
  try {
    pending = JSON.parse(sessionStorage.getItem(PENDING) || "null");
  } catch {
    pending = null;
  }
  sessionStorage.removeItem(PENDING); // a state is good for one return, whatever happens
  return pending;
}

/** The provider sent the official back (`?code=&state=` or `?error=`): the ID token, and where to go. */
export async function completeSignIn(query) {
  const pending = takePending();
  const error = query.get("error");
  if (error) {
    throw new SignInError(error === "access_denied" ? "signin.cancelled" : "signin.providerError", {
      detail: query.get("error_description") || error,
    });
  }
  if (!pending?.state || query.get("state") !== pending.state || !query.get("code")) throw new SignInError("signin.badState");
  const config = await signInSettings();
  let answer;
  let tokens = {};
  try {
    answer = await fetch(config.token_url, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        client_id: config.client_id,
        code: query.get("code"),
        redirect_uri: config.redirect_uri,
        code_verifier: pending.verifier,
      }),
    });
    tokens = await answer.json().catch(() => ({}));
  } catch {
    throw new SignInError("signin.unreachable");
  }
  if (!answer.ok || typeof tokens.id_token !== "string") {
    throw new SignInError("signin.exchangeFailed", { detail: tokens.error_description || tokens.error || `HTTP ${answer.status}` });
  }
  // the token came straight from the provider over TLS; still, it must be for this client and this sign-in
  const claims = claimsOf(tokens.id_token);
  const audience = Array.isArray(claims?.aud) ? claims.aud : [claims?.aud];
  if (!claims || claims.iss !== config.issuer || !audience.includes(config.client_id) || claims.nonce !== pending.nonce) {
    throw new SignInError("signin.badIdToken");
  }
  return { token: tokens.id_token, next: pending.next };
}

/** The provider's sign-out page, which ends its session and sends the official back to the sign-in page. */
export async function signOutUrl() {
  const config = await signInSettings();
  const url = new URL(config.logout_url);
  url.search = new URLSearchParams({ client_id: config.client_id, logout_uri: config.logout_redirect_uri }).toString();
  return url.href;
}
