/* The status buttons on /staff/orders/{id}: each applies its transition through
 * POST /orders/status-update, then the page reloads to show the order as the server has it. */
(function () {
  "use strict";

  const actions = document.querySelector("[data-order-actions]");
  if (!actions) return;
  const message = document.querySelector("[data-order-message]");
  const csrfToken = document.querySelector('meta[name="csrf-token"]').content;

  actions.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-status]");
    if (!button) return;
    if (button.dataset.confirm && !window.confirm(button.dataset.confirm)) return;
    const buttons = actions.querySelectorAll("button");
    buttons.forEach((b) => { b.disabled = true; });
    message.classList.remove("is-error");
    message.textContent = "Saving…";
    try {
      const response = await fetch("/orders/status-update", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken },
        body: JSON.stringify({ orderId: Number(actions.dataset.orderId), status: button.dataset.status }),
      });
      if (!response.ok) {
        let detail = `The server answered ${response.status}.`;
        try { detail = (await response.json()).detail || detail; } catch (ignored) { /* not JSON */ }
        throw new Error(detail);
      }
      message.textContent = "Saved.";
      window.location.reload();
    } catch (error) {
      message.classList.add("is-error");
      message.textContent = `Not changed: ${error.message}`;
      buttons.forEach((b) => { b.disabled = false; });
    }
  });
})();
