// Paying a fee: an order from the payment service, then the browser goes to the gateway's page.
import { api } from "./api.js";
import { h, isBusy, setBusy } from "./dom.js";
import { localize } from "./i18n.js";

export async function startPayment(dossierId, token) {
  const order = await api("/api/payment/payments", { method: "POST", token, body: { dossier_id: dossierId } });
  location.assign(order.pay_url);
  return order;
}

/** The pay button with its status line, for the apply page and "my dossier"; `onProblem(error, status)`
 * shows a refused order where the page shows problems. */
export function payButton(dossierId, token, onProblem) {
  const status = h("div", { role: "status" });
  const button = h("button", { type: "button", class: "button", id: "pay", i18n: "pay.button" });
  button.addEventListener("click", async () => {
    if (isBusy(button)) return;
    setBusy(button, true);
    localize(status, "pay.redirecting");
    try {
      await startPayment(dossierId, token);
    } catch (error) {
      setBusy(button, false);
      onProblem(error, status);
    }
  });
  return { button, status };
}
