// Dates in Vietnam's time zone, money in đồng; the same figures in both languages.
import { lang } from "./i18n.js";

const ZONE = "Asia/Ho_Chi_Minh";
const dateTimeFormat = new Intl.DateTimeFormat("vi-VN", {
  timeZone: ZONE, day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit",
});
const dateFormat = new Intl.DateTimeFormat("vi-VN", { timeZone: ZONE, day: "2-digit", month: "2-digit", year: "numeric" });

export function dateTime(iso) {
  if (!iso) return "—";
  const moment = new Date(iso);
  return Number.isNaN(moment.getTime()) ? String(iso) : dateTimeFormat.format(moment);
}

export function date(iso) {
  if (!iso) return "—";
  const moment = new Date(iso);
  return Number.isNaN(moment.getTime()) ? String(iso) : dateFormat.format(moment);
}

export function money(amount) {
  return `${new Intl.NumberFormat("vi-VN").format(Number(amount) || 0)} ₫`;
}

export function number(value) {
  return new Intl.NumberFormat(lang() === "en" ? "en-US" : "vi-VN").format(Number(value) || 0);
}

export function percent(rate) {
  if (rate == null) return "—";
  return new Intl.NumberFormat(lang() === "en" ? "en-US" : "vi-VN", { style: "percent", maximumFractionDigits: 1 }).format(rate);
}

export function days(value) {
  const n = Number(value) || 0;
  return new Intl.NumberFormat(lang() === "en" ? "en-US" : "vi-VN", { maximumFractionDigits: 1 }).format(n);
}

export function fileSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** The ISO string (with +07:00) of a `datetime-local` value read in Vietnam's time zone. */
export function localToIso(value) {
  return value ? `${value.length === 16 ? `${value}:00` : value}+07:00` : null;
}
