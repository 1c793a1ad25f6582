// Where the payment service sends the browser when the gateway's answer could not be trusted
// (#ket-qua=khong-hop-le: a bad signature); any other fragment is passed on to "my dossier".
import { $, h, fragment } from "../lib/dom.js";
import { initPage, announce } from "../lib/layout.js";

initPage();

const hash = fragment();
const outcome = $("#outcome");
if (hash.get("id")) {
  location.replace(`/ho-so.html${location.hash}`);
} else if (hash.get("ket-qua") === "khong-hop-le") {
  outcome.replaceChildren(h("div", { class: "notice error" }, h("h2", { i18n: "payReturn.invalidTitle" }), h("p", { i18n: "payReturn.invalid" })));
  announce("payReturn.invalidTitle");
} else {
  outcome.replaceChildren(h("p", { class: "notice", i18n: "payReturn.unknown" }));
}
