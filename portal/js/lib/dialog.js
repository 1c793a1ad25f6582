// Modal dialogs on the native <dialog>: focus moves in, stays in (showModal makes the page inert),
// Escape or "Hủy" closes, and focus returns to the control that opened it.
import { h, isBusy, setBusy } from "./dom.js";
import { problemMessage } from "./api.js";

let count = 0;

/**
 * Open a dialog with a form. `onConfirm({ form, fail })` may be async; return false to keep it open
 * (after showing what is wrong), anything else to close it. Resolves to that value, or null if cancelled.
 */
export function openDialog({ title, args, body = [], confirm = "common.confirm", danger = false, onConfirm }) {
  const opener = document.activeElement;
  const id = `dialog-${++count}`;
  const heading = h("h2", { id: `${id}-title`, i18n: title, args });
  const problems = h("div", { class: "dialog-problems", "aria-live": "assertive" });
  const confirmButton = h("button", { type: "submit", class: `button${danger ? " danger" : ""}`, i18n: confirm });
  const cancelButton = h("button", { type: "button", class: "button secondary", i18n: "common.cancel" });
  const form = h("form", { method: "dialog", novalidate: true }, heading, body, problems, h("div", { class: "actions" }, confirmButton, cancelButton));
  const dialog = h("dialog", { id, "aria-labelledby": heading.id }, form);
  document.body.append(dialog);

  const fail = (key, failArgs) => {
    problems.replaceChildren(h("p", { class: "notice error", i18n: key, args: failArgs }));
  };

  return new Promise((resolve) => {
    let result = null;
    cancelButton.addEventListener("click", () => dialog.close());
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (isBusy(confirmButton)) return;
      problems.replaceChildren();
      setBusy(confirmButton, true);
      form.setAttribute("aria-busy", "true");
      try {
        const outcome = onConfirm ? await onConfirm({ form, fail }) : true;
        if (outcome !== false) {
          result = outcome ?? true;
          dialog.close();
        }
      } catch (error) {
        const [key, errorArgs] = problemMessage(error);
        fail(key, errorArgs);
        if (typeof onConfirm?.onError === "function") onConfirm.onError(error);
      } finally {
        setBusy(confirmButton, false);
        form.removeAttribute("aria-busy");
      }
    });
    dialog.addEventListener("close", () => {
      // Chromium puts the focus back on the opener itself when the dialog closes, and a quick reader
      // may already have moved on (Escape, then Shift+Tab): the focus is brought back only from the
      // dialog (or from nowhere), never taken from where the reader has put it since
      const lost = dialog.contains(document.activeElement) || document.activeElement === document.body;
      dialog.remove();
      if (lost && opener && document.contains(opener)) opener.focus();
      resolve(result);
    });
    dialog.showModal();
    // the first field; with none, "Cancel" for a destructive action, else the confirm button
    const first = form.querySelector("input:not([type=hidden]), select, textarea");
    (first || (danger ? cancelButton : confirmButton)).focus();
  });
}
