// The receipt (giấy tiếp nhận hồ sơ), fetched with the dossier's token, shown in a frame from a Blob
// URL, and printed from there. The portal's receipt.css dresses it.
import { bearer, problemMessage, ApiError } from "./api.js";
import { h } from "./dom.js";

export function receiptViewer(dossierId, token, code) {
  const frame = h("iframe", {
    class: "receipt-frame",
    sandbox: "allow-same-origin allow-modals allow-popups allow-popups-to-escape-sandbox",
    i18nAttr: { title: "receipt.frameTitle" },
    args: { code: code || "" },
  });
  const status = h("p", { class: "loading", i18n: "common.loading" });
  const print = h("button", { type: "button", class: "button secondary", i18n: "receipt.print", disabled: true });
  print.addEventListener("click", () => frame.contentWindow?.print());
  const element = h("div", { class: "receipt-viewer" }, h("div", { class: "actions no-print" }, print), status, frame);

  (async () => {
    try {
      const response = await fetch(`/api/submission/dossiers/${encodeURIComponent(dossierId)}/receipt`, { headers: bearer(token) });
      if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => ({})));
      // links in the receipt (the tracking address) open outside the frame
      const html = (await response.text()).replace(/<head>/i, '<head><base target="_blank">');
      frame.src = URL.createObjectURL(new Blob([html], { type: "text/html" }));
      frame.addEventListener("load", () => {
        status.remove();
        print.disabled = false;
      }, { once: true });
    } catch (error) {
      const [key, args] = problemMessage(error);
      status.replaceWith(h("p", { class: "notice error", i18n: key, args }));
      frame.remove();
    }
  })();
  return element;
}
