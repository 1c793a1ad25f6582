// The dossier's documents, one row per component: pick files, watch each one upload (progress bar),
// get checked by the verifier, and end accepted or rejected with the reason; retry, check again, delete.
import { api, problemMessage } from "./api.js";
import { h, isBusy, setBusy } from "./dom.js";
import { localize } from "./i18n.js";
import { announce } from "./layout.js";
import { fileSize } from "./format.js";
import { ACCEPT_ATTRIBUTE, contentTypeOf, fileProblem, postToStorage } from "./upload.js";

const CHECK_EVERY_MS = 1000;
const CHECK_FOR_MS = 30000;
let sequence = 0;

export class DocumentsPanel {
  /**
   * documents: [{component_id, name, required, originals?, copies?}]; files: the dossier's files.
   * supplement: only files added for the supplement request may be deleted.
   */
  constructor({ dossierId, token, documents, files = [], supplement = false, onChange = () => {} }) {
    this.dossierId = dossierId;
    this.token = token;
    this.documents = documents;
    this.supplement = supplement;
    this.onChange = onChange;
    this.items = new Map(); // local id -> item
    this.rows = new Map(); // component id -> { list, status, row }
    this.timer = null;
    this.element = h("ul", { class: "documents" }, documents.map((doc) => this.renderRow(doc)));
    for (const file of files) this.addServerFile(file);
    this.refreshRows();
    this.watch();
  }

  renderRow(doc) {
    const id = `doc-${++sequence}`;
    const input = h("input", { type: "file", id: `${id}-input`, accept: ACCEPT_ATTRIBUTE, multiple: true, "aria-describedby": `${id}-hint` });
    input.addEventListener("change", () => {
      for (const file of input.files) this.upload(doc.component_id, file);
      input.value = "";
    });
    const counts =
      doc.originals != null
        ? h("p", { class: "hint", i18n: "docs.counts", args: { originals: doc.originals, copies: doc.copies ?? 0 } })
        : null;
    const status = h("p", { class: "doc-status" });
    const list = h("ul", { class: "files", "aria-label": doc.name });
    const row = h(
      "li",
      { class: "document", id, dataset: { component: doc.component_id } },
      h("h3", {}, h("span", { lang: "vi", text: doc.name }), " ", h("span", { class: doc.required ? "badge warn" : "badge muted", i18n: doc.required ? "docs.required" : "docs.optional" })),
      counts,
      status,
      h(
        "div",
        { class: "file-picker" },
        h("label", { for: input.id }, h("span", { i18n: "docs.choose" }), h("span", { class: "visually-hidden" }, `: ${doc.name}`)),
        h("span", { class: "hint", id: `${id}-hint`, i18n: "docs.hint" }),
        input,
      ),
      list,
    );
    this.rows.set(doc.component_id, { list, status, row, doc, input });
    return row;
  }

  addServerFile(file) {
    const item = {
      local: `file-${++sequence}`,
      componentId: file.component_id,
      fileId: file.file_id,
      name: file.file_name,
      size: file.size,
      file: null,
      state: { PENDING: "checking", VERIFIED: "accepted", REJECTED: "rejected" }[file.status] || "checking",
      reason: file.reason,
      locked: this.supplement && !file.supplement,
      deadline: Date.now() + CHECK_FOR_MS,
    };
    this.items.set(item.local, item);
    this.renderItem(item);
  }

  async upload(componentId, file, previous = null) {
    const item = previous || {
      local: `file-${++sequence}`,
      componentId,
      name: file.name,
      size: file.size,
      file,
    };
    Object.assign(item, { state: "uploading", progress: 0, reason: null, message: null, fileId: item.fileId ?? null });
    this.items.set(item.local, item);
    this.renderItem(item);
    const wrong = fileProblem(file);
    if (wrong) return this.fail(item, wrong, false);
    announce("upload.announce.uploading", { name: file.name });
    try {
      if (item.fileId) await this.discard(item.fileId); // a retry: the half-made record goes first
      item.fileId = null;
      const grant = await api(`/api/submission/dossiers/${this.dossierId}/files`, {
        method: "POST",
        token: this.token,
        body: { component_id: componentId, file_name: file.name, content_type: contentTypeOf(file), size: file.size },
      });
      item.fileId = grant.file_id;
      await postToStorage(grant.upload, file, {
        onProgress: (percent) => {
          item.progress = percent;
          this.renderProgress(item);
        },
      });
    } catch (error) {
      return this.fail(item, error.kind ? ["upload.failedStorage", { name: file.name }] : problemMessage(error), true);
    }
    item.state = "checking";
    item.deadline = Date.now() + CHECK_FOR_MS;
    this.renderItem(item);
    announce("upload.announce.checking", { name: file.name });
    this.watch();
    return item;
  }

  fail(item, message, retryable) {
    item.state = "failed";
    item.message = message;
    item.retryable = retryable && Boolean(item.file);
    this.renderItem(item);
    announce("upload.announce.failed", { name: item.name });
  }

  async discard(fileId) {
    try {
      await api(`/api/submission/dossiers/${this.dossierId}/files/${fileId}`, { method: "DELETE", token: this.token });
    } catch {
      /* already gone, or never finished: nothing to undo */
    }
  }

  async remove(item, button) {
    if (isBusy(button)) return;
    setBusy(button, true);
    if (item.fileId) {
      try {
        await api(`/api/submission/dossiers/${this.dossierId}/files/${item.fileId}`, { method: "DELETE", token: this.token });
      } catch (error) {
        if (error.status !== 404) {
          setBusy(button, false);
          item.message = problemMessage(error);
          this.renderItem(item);
          return;
        }
      }
    }
    this.items.delete(item.local);
    document.getElementById(item.local)?.remove();
    announce("upload.announce.removed", { name: item.name });
    this.refreshRows();
    const { input } = this.rows.get(item.componentId);
    input.focus();
  }

  /** One GET for every file still being checked, every second, for up to 30 s each. */
  watch() {
    if (this.timer) return;
    const tick = async () => {
      this.timer = null;
      const waiting = [...this.items.values()].filter((i) => i.state === "checking");
      if (!waiting.length) return;
      try {
        const dossier = await api(`/api/submission/dossiers/${this.dossierId}`, { token: this.token });
        this.update(dossier.files);
      } catch {
        /* a dropped connection: try again on the next tick */
      }
      for (const item of waiting) {
        if (item.state === "checking" && Date.now() > item.deadline) {
          item.state = "slow";
          this.renderItem(item);
        }
      }
      if ([...this.items.values()].some((i) => i.state === "checking")) this.timer = setTimeout(tick, CHECK_EVERY_MS);
    };
    this.timer = setTimeout(tick, CHECK_EVERY_MS);
  }

  update(files) {
    for (const file of files) {
      const item = [...this.items.values()].find((i) => i.fileId === file.file_id);
      if (!item || !["checking", "slow"].includes(item.state)) continue;
      if (file.status === "VERIFIED") {
        item.state = "accepted";
        announce("upload.announce.accepted", { name: item.name });
      } else if (file.status === "REJECTED") {
        item.state = "rejected";
        item.reason = file.reason;
        announce("upload.announce.rejected", { name: item.name, reason: file.reason || "" });
      } else continue;
      this.renderItem(item);
    }
  }

  renderProgress(item) {
    const node = document.getElementById(item.local);
    const bar = node?.querySelector("progress");
    if (!bar) return;
    bar.value = item.progress;
    localize(node.querySelector(".percent"), "upload.percent", { n: item.progress });
  }

  renderItem(item) {
    const { list } = this.rows.get(item.componentId);
    const stateNode = h("div", { class: "state" });
    const buttons = h("div", { class: "buttons" });
    switch (item.state) {
      case "uploading":
        stateNode.append(
          h("span", { class: "state-text busy", i18n: "upload.uploading" }),
          h("progress", { max: "100", value: String(item.progress || 0), i18nAttr: { "aria-label": "upload.progressLabel" }, args: { name: item.name } }),
          h("span", { class: "percent", i18n: "upload.percent", args: { n: item.progress || 0 } }),
        );
        break;
      case "checking":
        stateNode.append(h("span", { class: "state-text busy", i18n: "upload.checking" }));
        break;
      case "slow":
        stateNode.append(h("span", { class: "state-text busy", i18n: "upload.slow" }));
        buttons.append(
          h("button", {
            type: "button",
            class: "button secondary small",
            i18n: "upload.checkAgain",
            onclick: () => {
              item.state = "checking";
              item.deadline = Date.now() + CHECK_FOR_MS;
              this.renderItem(item);
              this.watch();
            },
          }),
        );
        break;
      case "accepted":
        stateNode.append(h("span", { class: "state-text ok", i18n: "upload.accepted" }));
        break;
      case "rejected":
        stateNode.append(h("span", { class: "state-text error", i18n: "upload.rejected", args: { reason: item.reason || "" } }));
        break;
      case "failed":
        stateNode.append(h("span", { class: "state-text error", i18n: item.message?.[0] || "upload.failed", args: item.message?.[1] }));
        if (item.retryable) {
          buttons.append(
            h("button", {
              type: "button",
              class: "button small",
              i18n: "upload.retry",
              i18nAttr: { "aria-label": "upload.retryNamed" },
              args: { name: item.name },
              onclick: () => this.upload(item.componentId, item.file, item),
            }),
          );
        }
        break;
      default:
        break;
    }
    if (item.state !== "uploading" && !item.locked) {
      const remove = h("button", {
        type: "button",
        class: "button secondary small",
        i18n: "upload.remove",
        i18nAttr: { "aria-label": "upload.removeNamed" },
        args: { name: item.name },
      });
      remove.addEventListener("click", () => this.remove(item, remove));
      buttons.append(remove);
    }
    if (item.locked) stateNode.append(h("span", { class: "badge muted", i18n: "upload.submittedBefore" }));
    const node = h(
      "li",
      { class: "file", id: item.local, dataset: { state: item.state, fileId: item.fileId || "" } },
      h("span", { class: "name" }, item.name, item.size ? h("span", { class: "hint" }, ` (${fileSize(item.size)})`) : null),
      buttons,
      stateNode,
    );
    const existing = document.getElementById(item.local);
    if (existing) existing.replaceWith(node);
    else list.append(node);
    this.refreshRows();
  }

  refreshRows() {
    for (const { doc, row, status } of this.rows.values()) {
      const mine = [...this.items.values()].filter((i) => i.componentId === doc.component_id);
      const accepted = mine.some((i) => i.state === "accepted");
      row.classList.toggle("complete", accepted);
      row.classList.toggle("missing", doc.required && !accepted);
      if (accepted) localize(status, "docs.statusDone");
      else if (doc.required) localize(status, "docs.statusMissing");
      else localize(status, "docs.statusOptional");
      status.className = `doc-status ${accepted ? "state-text ok" : ""}`;
    }
    this.onChange(this.summary());
  }

  /** What stands between the citizen and "submit". */
  summary() {
    const items = [...this.items.values()];
    const missing = this.documents.filter((d) => d.required && !items.some((i) => i.componentId === d.component_id && i.state === "accepted"));
    return {
      missing,
      busy: items.some((i) => ["uploading", "checking"].includes(i.state)),
      accepted: items.filter((i) => i.state === "accepted" && !i.locked).length,
    };
  }

  rowOf(componentId) {
    return this.rows.get(componentId)?.row || null;
  }

  stop() {
    clearTimeout(this.timer);
    this.timer = null;
  }
}
