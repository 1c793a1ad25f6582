// Straight to object storage: a presigned POST (every field first, the file last, named "file"),
// through XMLHttpRequest so the page can show progress. S3 answers 204.

export const ACCEPTED_TYPES = ["application/pdf", "image/jpeg", "image/png"];
export const ACCEPT_ATTRIBUTE = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png";
export const MAX_BYTES = 10 * 1024 * 1024;

export class UploadError extends Error {
  constructor(kind, status = 0) {
    super(`upload ${kind} ${status}`);
    this.kind = kind; // "network", "rejected", "aborted"
    this.status = status;
  }
}

/** The content type to declare: the browser's, or guessed from the name when it gives none. */
export function contentTypeOf(file) {
  if (ACCEPTED_TYPES.includes(file.type)) return file.type;
  const extension = file.name.toLowerCase().split(".").pop();
  return { pdf: "application/pdf", jpg: "image/jpeg", jpeg: "image/jpeg", png: "image/png" }[extension] || file.type || "";
}

/** Checks made before asking for an upload: [key, args] or null. */
export function fileProblem(file, maxBytes = MAX_BYTES) {
  if (!ACCEPTED_TYPES.includes(contentTypeOf(file))) return ["upload.badType", { name: file.name }];
  if (file.size > maxBytes) return ["upload.tooLarge", { name: file.name, mb: Math.round(maxBytes / 1024 / 1024) }];
  if (file.size === 0) return ["upload.empty", { name: file.name }];
  return null;
}

export function postToStorage({ url, fields }, file, { onProgress, signal } = {}) {
  return new Promise((resolve, reject) => {
    const body = new FormData();
    for (const [name, value] of Object.entries(fields)) body.append(name, value);
    body.append("file", file, file.name);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable && onProgress) onProgress(Math.round((event.loaded / event.total) * 100));
    });
    xhr.addEventListener("load", () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve();
      else reject(new UploadError("rejected", xhr.status));
    });
    xhr.addEventListener("error", () => reject(new UploadError("network")));
    xhr.addEventListener("timeout", () => reject(new UploadError("network")));
    xhr.addEventListener("abort", () => reject(new UploadError("aborted")));
    signal?.addEventListener("abort", () => xhr.abort());
    xhr.timeout = 10 * 60 * 1000;
    xhr.send(body);
  });
}
