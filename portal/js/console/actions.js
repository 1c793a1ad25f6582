// The officials' actions (API.md): what each needs, and the dialog that asks for it and confirms.
import { h } from "../lib/dom.js";
import { FieldSet } from "../lib/fields.js";
import { localToIso } from "../lib/format.js";
import { ACCEPT_ATTRIBUTE, contentTypeOf, fileProblem, postToStorage } from "../lib/upload.js";
import { openDialog } from "../lib/dialog.js";
import { localize } from "../lib/i18n.js";
import { agencyList } from "./session.js";

const NEEDS_NOTE = new Set(["refuse", "request_supplement", "request_payment", "stop", "apologize"]);
const DANGER = new Set(["refuse", "stop"]);
// the order buttons appear in: the usual next step first
export const ORDER = ["accept", "start", "complete", "return_result", "request_supplement", "request_payment", "forward", "apologize", "refuse", "stop"];

async function specsFor(action, dossier) {
  const specs = [];
  if (action === "forward") {
    const agencies = (await agencyList()).filter((a) => a.code !== dossier.agency?.code);
    specs.push({ name: "to_agency", label: ["act.toAgency"], kind: "select", required: true, options: agencies.map((a) => ({ value: a.code, label: `${a.name} (${a.code})` })) });
  }
  if (action === "complete") {
    specs.push({ name: "outcome", label: ["act.outcome"], kind: "radio", required: true, options: [{ value: "approved", label: ["outcome.approved"] }, { value: "denied", label: ["outcome.denied"] }] });
  }
  if (action === "request_payment") {
    specs.push({ name: "amount_vnd", label: ["act.amount"], hint: ["act.amountHint"], kind: "integer", required: true, minimum: 1, maximum: 10_000_000_000 });
  }
  if (action === "apologize") {
    specs.push({
      name: "new_due_at",
      label: ["act.newDueAt"],
      kind: "datetime",
      required: true,
      check: (value) => (new Date(localToIso(value)).getTime() > Date.now() ? null : ["act.newDueFuture", {}]),
    });
  }
  if (action === "return_result") {
    specs.push({ name: "result", label: ["act.resultFile"], hint: ["act.resultHint"], kind: "file", required: true, attrs: { accept: ACCEPT_ATTRIBUTE } });
  }
  specs.push({ name: "note", label: [NEEDS_NOTE.has(action) ? `act.note.${action}` : "act.noteOptional"], kind: "textarea", required: NEEDS_NOTE.has(action), maxLength: 4000 });
  return specs;
}

/**
 * Ask for what the action needs, confirm, and send it. Resolves to the updated dossier, to
 * { conflict: true } when someone else changed the dossier first, or to null when cancelled.
 */
export async function runAction(action, dossier, session) {
  const fields = new FieldSet(await specsFor(action, dossier));
  const progress = h("div", { class: "upload-progress", role: "status" });
  if (action === "request_payment" && dossier.amount_due_vnd) fields.setValue("amount_vnd", dossier.amount_due_vnd);
  const rendered = fields.render();
  let conflict = false;
  const onConfirm = async ({ fail }) => {
    if (fields.validate().length) return false;
    const body = { action, expected_version: dossier.version };
    const note = fields.value("note");
    if (note) body.note = note;
    if (fields.controls.has("to_agency")) body.to_agency = fields.value("to_agency");
    if (fields.controls.has("outcome")) body.outcome = fields.value("outcome");
    if (fields.controls.has("amount_vnd")) body.amount_vnd = Number(fields.value("amount_vnd"));
    if (fields.controls.has("new_due_at")) body.new_due_at = localToIso(fields.value("new_due_at"));
    if (action === "return_result") {
      const file = fields.firstInput("result").files[0];
      const wrong = fileProblem(file, 20 * 1024 * 1024);
      if (wrong) {
        fail(...wrong);
        return false;
      }
      const grant = await session.call(`/api/tracking/dossiers/${encodeURIComponent(dossier.code)}/result-files`, {
        method: "POST",
        body: { file_name: file.name, content_type: contentTypeOf(file), size: file.size },
      });
      const bar = h("progress", { max: "100", value: "0", i18nAttr: { "aria-label": "upload.progressLabel" }, args: { name: file.name } });
      const label = h("span", { i18n: "upload.uploading" });
      progress.replaceChildren(label, " ", bar);
      try {
        await postToStorage(grant.upload, file, { onProgress: (n) => { bar.value = n; } });
      } catch {
        fail("upload.failedStorage", { name: file.name });
        progress.replaceChildren();
        return false;
      }
      localize(label, "upload.uploaded");
      body.result = grant.file_id;
    }
    try {
      return await session.call(`/api/tracking/dossiers/${encodeURIComponent(dossier.code)}/actions`, { method: "POST", body });
    } catch (error) {
      if (error.status === 409 && error.code === "version_conflict") {
        conflict = true;
        return { conflict: true };
      }
      if (error.code === "validation_failed") {
        for (const { field, message } of error.errors) {
          const name = fields.nameFor(field);
          if (name) fields.mark(name, ["error.fieldService", { message }]);
        }
      }
      throw error;
    }
  };
  const result = await openDialog({
    title: "act.confirmTitle",
    args: { action: { $t: `do.${action}` }, code: dossier.code },
    body: [h("p", { i18n: `act.lead.${action}` }), ...rendered, progress],
    confirm: `do.${action}`,
    danger: DANGER.has(action),
    onConfirm,
  });
  return conflict ? { conflict: true } : result;
}
