/* Add to cart without leaving the page: each Add to cart form posts in the background, the
 * message ("Added Apron to your cart · View cart") appears beside its button in a live
 * region, and the header's cart badge shows the new count. Without this script the forms
 * post as usual and the page comes back scrolled to the same message. */

import { problemText } from "./api.js";

function showMessage(region, text, cartUrl, isError) {
  region.classList.toggle("is-error", isError);
  region.replaceChildren(text);
  if (cartUrl) {
    const link = document.createElement("a");
    link.href = cartUrl;
    link.textContent = "View cart";
    region.append(" · ", link);
  }
}

function updateBadge(count) {
  for (const badge of document.querySelectorAll("[data-cart-count]")) {
    badge.textContent = String(count);
    badge.classList.toggle("badge-empty", count === 0);
    const words = badge.nextElementSibling;
    if (words && words.classList.contains("visually-hidden")) {
      words.textContent = count === 1 ? " item" : " items";
    }
  }
}

async function addInBackground(form) {
  const button = form.querySelector('button[type="submit"]');
  const region = form.querySelector("[data-added-message]");
  const meta = document.querySelector('meta[name="csrf-token"]');
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  try {
    const response = await fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": meta ? meta.content : "" },
      body: new URLSearchParams(new FormData(form)),
    });
    const data = await response.json().catch(() => null);
    if (response.ok && data) {
      showMessage(region, data.message, data.cartUrl, false);
      updateBadge(data.cartCount);
    } else {
      showMessage(region, problemText(data, "The product could not be added. Please try again."),
        null, true);
    }
  } catch {
    showMessage(region, "The shop could not be reached. Check your connection and try again.",
      null, true);
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }
}

for (const form of document.querySelectorAll("[data-add-to-cart]")) {
  form.addEventListener("submit", (event) => {
    if (!form.querySelector("[data-added-message]")) return;
    event.preventDefault();
    addInBackground(form);
  });
}
