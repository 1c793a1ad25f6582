// Dossier statuses with their labels in both languages and a badge whose text says what the colour does.
import { h } from "./dom.js";
import { has } from "./i18n.js";

const TONE = {
  DRAFT: "muted",
  SUBMITTED: "level",
  ACCEPTED: "level",
  IN_PROCESS: "level",
  SUPPLEMENT_REQUESTED: "warn",
  PAYMENT_REQUIRED: "warn",
  PROCESSED: "ok",
  RESULT_RETURNED: "ok",
  REFUSED: "danger",
  STOPPED: "danger",
  WITHDRAWN: "muted",
};

export const STATUSES = Object.keys(TONE);
export const WITHDRAWABLE = ["SUBMITTED", "ACCEPTED", "IN_PROCESS", "SUPPLEMENT_REQUESTED", "PAYMENT_REQUIRED"];

export function statusBadge(status) {
  return h("span", { class: `badge ${TONE[status] || "muted"}`, dataset: { status }, i18n: `status.${status}` });
}

/** A document's check as words: being checked, accepted, rejected (with the reason), uploaded. */
export function fileState(file) {
  const tone = { VERIFIED: "state-text ok", REJECTED: "state-text error", PENDING: "state-text busy" }[file.status] || "";
  const key = `fileStatus.${file.status}`;
  return has(key) ? { class: tone, i18n: key, args: { reason: file.reason || "" } } : { class: tone, text: file.status };
}
