/* The shipping step of the checkout page: show the address fields only for a method that
 * needs them, show the shipping price in the total, and fill the fields from a saved address.
 * Prices shown here are the page's; the server computes the order's amount itself.
 * checkout.js reads the form when it places the order. */

import { formatMoney } from "./money.js";

const form = document.querySelector("[data-shipping-form]");

function chosenMethod() {
  return form.querySelector('input[name="shippingMethodId"]:checked');
}

function update() {
  const method = chosenMethod();
  if (!method) return;
  const fields = form.querySelector("[data-address-fields]");
  const needsAddress = method.dataset.requiresAddress === "true";
  fields.hidden = !needsAddress;
  fields.querySelectorAll("input, select").forEach((input) => {
    input.disabled = !needsAddress;
  });
  const price = Number(method.dataset.price);
  document.querySelector("[data-shipping-price]").textContent = method.dataset.priceText;
  document.querySelector("[data-order-total]").textContent =
    formatMoney(Number(form.dataset.productsTotal) + price);
}

function fillFrom(address) {
  form.querySelectorAll("[data-address-fields] [name]").forEach((input) => {
    input.value = address[input.name] || "";
    input.removeAttribute("aria-invalid");
  });
}

if (form) {
  form.addEventListener("change", (event) => {
    if (event.target.name === "shippingMethodId") update();
  });
  form.addEventListener("click", (event) => {
    const button = event.target.closest("[data-saved-address]");
    if (button) fillFrom(JSON.parse(button.dataset.savedAddress));
  });
  form.addEventListener("submit", (event) => event.preventDefault());
  update();
}
