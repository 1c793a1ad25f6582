// What an official's ID token says, read the way the API reads it (services/core/auth.py): the agency
// from `agency` or Cognito's `custom:agency`, the roles from `roles` or Cognito's `cognito:groups`.
// The console only reads claims to show them and to know when to sign in again; the API verifies.

export function claimsOf(token) {
  try {
    const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const json = decodeURIComponent(
      [...atob(payload.padEnd(payload.length + ((4 - (payload.length % 4)) % 4), "="))].map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, "0")}`).join(""),
    );
    const claims = JSON.parse(json);
    return claims && typeof claims === "object" ? claims : null;
  } catch {
    return null;
  }
}

export function expired(claims) {
  return typeof claims?.exp === "number" && claims.exp * 1000 < Date.now();
}

/** The official a token names ({sub, name, agency, roles}), or null when it names no agency. */
export function officialOf(claims) {
  if (!claims) return null;
  const agency = claims.agency || claims["custom:agency"];
  let roles = "roles" in claims ? claims.roles : claims["cognito:groups"] ?? [];
  if (typeof roles === "string") roles = roles.replace(/,/g, " ").split(/\s+/).filter(Boolean);
  if (typeof agency !== "string" || !agency || !Array.isArray(roles)) return null;
  const name = [claims.name, claims.email, claims["cognito:username"], claims.sub].find((v) => typeof v === "string" && v);
  return { sub: String(claims.sub ?? ""), name: name || "", agency, roles: new Set(roles) };
}
