/* The status buttons on /staff/orders/{id}: each applies its transition through the status
 * endpoint the page names (data-status-url), then the page reloads to show the order as the
 * server has it. */
import { call } from "./api.js";

const actions = document.querySelector("[data-order-actions]");
if (actions) {
  const message = document.querySelector("[data-order-message]");

  actions.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-status]");
    if (!button) return;
    if (button.dataset.confirm && !window.confirm(button.dataset.confirm)) return;
    const buttons = actions.querySelectorAll("button");
    buttons.forEach((b) => { b.disabled = true; });
    message.classList.remove("is-error");
    message.textContent = "Saving…";
    const body = { orderId: Number(actions.dataset.orderId), status: button.dataset.status };
    const tracking = document.querySelector("[data-tracking-form]");
    if (tracking && button.dataset.status === "shipped") {
      const field = (name) => tracking.querySelector(`[name="${name}"]`).value.trim();
      if (field("carrier") || field("number") || field("url")) {
        body.tracking = { carrier: field("carrier"), number: field("number") };
        if (field("url")) body.tracking.url = field("url");
      }
    }
    try {
      await call("POST", actions.dataset.statusUrl, body);
      message.textContent = "Saved.";
      window.location.reload();
    } catch (error) {
      message.classList.add("is-error");
      message.textContent = `Not changed: ${error.message}`;
      buttons.forEach((b) => { b.disabled = false; });
    }
  });
}
