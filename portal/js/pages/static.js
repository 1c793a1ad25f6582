// Pages without behaviour of their own (the 404 page): translation and the language switch.
import { initPage } from "../lib/layout.js";

initPage();
