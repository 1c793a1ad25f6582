// Paying a fee: an order from the payment service, then the browser goes to the gateway's page.
import { api } from "./api.js";

export async function startPayment(dossierId, token) {
  const order = await api("/api/payment/payments", { method: "POST", token, body: { dossier_id: dossierId } });
  location.assign(order.pay_url);
  return order;
}
