// The one door to the public contract (API.md): JSON in and out, problem details turned into ApiError.

export class ApiError extends Error {
  constructor(status, problem = {}) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.code = problem.code || (status === 0 ? "network" : "unknown");
    this.detail = problem.detail || null;
    this.errors = Array.isArray(problem.errors) ? problem.errors : [];
  }
}

export function bearer(token) {
  return token ? { Authorization: `Bearer ${token}` } : {};
}

export async function api(path, { method = "GET", body, token, signal, headers = {} } = {}) {
  const init = { method, signal, headers: { Accept: "application/json", ...bearer(token), ...headers } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError(0, { code: "network" });
  }
  if (response.status === 204) return null;
  const type = response.headers.get("content-type") || "";
  const data = type.includes("json") ? await response.json().catch(() => null) : await response.text();
  if (!response.ok) throw new ApiError(response.status, data && typeof data === "object" ? data : {});
  return data;
}

/** The message for an error, as [key, args] for h(..., { i18n, args }). The service's `detail` is
 *  Vietnamese; in English it is shown after a short English lead-in. */
export function problemMessage(error) {
  if (!(error instanceof ApiError)) return ["error.unexpected", {}];
  if (error.status === 0) return ["error.network", {}];
  if (error.detail) return ["error.service", { detail: error.detail }];
  if (error.status === 401) return ["error.unauthorized", {}];
  if (error.status === 403) return ["error.forbidden", {}];
  if (error.status === 404) return ["error.notFound", {}];
  return ["error.status", { status: error.status }];
}

/** GET `path` again every `every` ms until `done(answer)` or `timeout` ms; the last answer either way. */
export async function poll(fetchOnce, done, { every = 1000, timeout = 30000 } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await fetchOnce();
      if (done(last)) return { answer: last, done: true };
    } catch (error) {
      if (error instanceof ApiError && error.status !== 0 && error.status < 500) throw error;
    }
    if (Date.now() > deadline) return { answer: last, done: false };
    await new Promise((resolve) => setTimeout(resolve, every));
  }
}
