// A dossier's history as a timeline: when, what, from which status to which, the note.
import { h } from "./dom.js";
import { has } from "./i18n.js";
import { dateTime } from "./format.js";

export function historyTimeline(entries, { officials = false } = {}) {
  if (!entries.length) return h("p", { i18n: "history.empty" });
  return h(
    "ol",
    { class: "timeline" },
    [...entries].reverse().map((entry) =>
      h(
        "li",
        {},
        h("time", { datetime: entry.at, text: dateTime(entry.at) }),
        h("strong", has(`action.${entry.action}`) ? { i18n: `action.${entry.action}` } : { text: entry.action }),
        entry.from_status !== entry.to_status && entry.to_status
          ? h("span", {}, " — ", h("span", { i18n: "history.toStatus", args: { status: { $t: `status.${entry.to_status}` } } }))
          : null,
        entry.note ? h("p", { class: "hint", text: entry.note }) : null,
        officials ? actedBy(entry) : null,
      ),
    ),
  );
}

// `by` is who acted (an official's account id, "citizen" or "system"); the name is the one the official's
// account shows, so the id goes with it.
function actedBy(entry) {
  const by = entry.by || "";
  if (by === "citizen" || by === "system") {
    return h("p", { class: "hint", i18n: "history.by", args: { who: { $t: by === "citizen" ? "history.byCitizen" : "history.bySystem" } } });
  }
  const who = entry.official && by ? `${entry.official} (${by})` : entry.official || by;
  return who ? h("p", { class: "hint", i18n: "history.by", args: { who } }) : null;
}
