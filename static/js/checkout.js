/* The checkout page and the pay page of a pending order.
 *
 * One service layer, two front doors: this script places the order through the JSON API
 * (POST /orders/new, with the page's CSRF token and an Idempotency-Key) and then pays it,
 * either on the offline test gateway (POST /payments/test/confirm) or with Stripe's Payment
 * Element. Either way it ends on /checkout/complete?order=ID, which asks the provider how the
 * payment went and empties the cart. No price or rule is computed here. Every URL comes
 * from the page (data attributes rendered with url_for).
 */
import { problemText, request } from "./api.js";
import { formatMoney } from "./money.js";

const checkoutRoot = document.querySelector("[data-checkout]");
if (checkoutRoot) startCheckout(checkoutRoot);

/* Wire up the checkout in `root`, which carries the page's URLs in data attributes. */
function startCheckout(root) {
  var mode = root.dataset.mode;
  var checkoutButton = document.getElementById("checkout-button");
  var checkoutMessage = document.getElementById("checkout-message");
  var paymentStep = document.getElementById("payment-step");
  var paymentMessage = document.getElementById("payment-message");
  var payButton = paymentStep.querySelector("[data-pay-button]");
  var order = readJSON("checkout-order");
  var stripe = null;
  var elements = null;

  function readJSON(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function randomKey() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function say(element, text, kind) {
    element.textContent = text || "";
    element.className = "notice" + (kind ? " notice-" + kind : "");
    element.hidden = !text;
  }

  function completeUrl(orderId) {
    var url = new URL(root.dataset.completeUrl, window.location.href);
    url.searchParams.set("order", String(orderId));
    return url.href;
  }

  function busy(button, on) {
    button.disabled = on;
    if (on) button.setAttribute("aria-busy", "true"); else button.removeAttribute("aria-busy");
  }

  /* Step 1: place the order. One Idempotency-Key per checkout attempt, kept for this tab and
   * this cart, so a double click, a retry after a network error or a reload replays the same
   * order instead of placing a second one. */
  var lines = readJSON("checkout-lines");
  var shippingForm = document.querySelector("[data-shipping-form]");
  var storageName = null;
  var placing = false;

  /* The body of POST /orders/new: the cart lines with the chosen shipping method and, when
   * the method needs one, the address typed (or picked) on the page. */
  function orderBody() {
    if (!shippingForm) return lines;
    var method = shippingForm.querySelector('input[name="shippingMethodId"]:checked');
    var body = {products: lines, shippingMethodId: method ? Number(method.value) : null};
    if (method && method.dataset.requiresAddress === "true") {
      var address = {};
      shippingForm.querySelectorAll("[data-address-fields] [name]").forEach(function (input) {
        input.removeAttribute("aria-invalid");
        if (input.value.trim()) address[input.name] = input.value.trim();
      });
      body.shippingAddress = address;
    }
    return body;
  }

  /* Marks the address fields a problem names; returns a sentence naming them by their
   * labels, or null when the problem is not about the address. */
  function markInvalid(problem) {
    if (!shippingForm || !problem || !problem.errors) return null;
    var labels = [];
    var first = null;
    problem.errors.forEach(function (error) {
      var field = String(error.field || "");
      if (field.indexOf("shippingAddress.") !== 0) return;
      var input = shippingForm.querySelector(
        '[data-address-fields] [name="' + field.slice("shippingAddress.".length) + '"]');
      if (!input) return;
      input.setAttribute("aria-invalid", "true");
      first = first || input;
      var label = shippingForm.querySelector('label[for="' + input.id + '"]');
      labels.push((label ? label.textContent : input.name) +
                  (error.message === "Required." ? "" : " (" + error.message + ")"));
    });
    if (!first) return null;
    first.focus();
    return "Please fill in the shipping address: " + labels.join(", ") + ".";
  }

  function lockShipping() {
    if (!shippingForm) return;
    shippingForm.querySelectorAll("input, select, button").forEach(function (input) {
      input.disabled = true;
    });
  }

  var key = null;

  function idempotencyKey(fresh) {
    if (fresh || !key) {
      key = null;
      try { key = fresh ? null : window.sessionStorage.getItem(storageName); } catch (e) { /* off */ }
      key = key || randomKey();
      try { window.sessionStorage.setItem(storageName, key); } catch (e) { /* per page */ }
    }
    return key;
  }

  function placeOrder(fresh) {
    if (placing && !fresh) return;
    placing = true;
    var body = orderBody();
    // One key per cart and shipping choice: another address is another order attempt.
    var name = "shop.checkout." + JSON.stringify(body);
    if (name !== storageName) {
      storageName = name;
      key = null;
    }
    busy(checkoutButton, true);
    say(checkoutMessage, "Placing your order…", "info");
    request("POST", root.dataset.ordersUrl, body,
                    {"Idempotency-Key": idempotencyKey(fresh)})
      .then(function (answer) {
        if (answer.status === 201 && answer.data.status === "pending") {
          order = answer.data;
          showPayment();
        } else if (answer.status === 201 && !fresh) {
          // The order this key placed earlier in this tab is paid or cancelled by now: the
          // same cart again is a new attempt, with a new key.
          placeOrder(true);
        } else if (answer.status === 401) {
          var login = new URL(root.dataset.loginUrl, window.location.href);
          login.searchParams.set("next", window.location.pathname);
          window.location.assign(login.href);
        } else {
          placing = false;
          busy(checkoutButton, false);
          say(checkoutMessage, markInvalid(answer.data) ||
              problemText(answer.data, "The order could not be placed."), "error");
        }
      }, function () {
        placing = false;
        busy(checkoutButton, false);
        say(checkoutMessage, "The shop could not be reached. Check your connection and " +
            "try again; you will not be charged twice.", "error");
      });
  }

  /* Step 2: pay the order. */
  function showPayment() {
    var orderStep = document.getElementById("order-step");
    if (orderStep) orderStep.hidden = true;
    lockShipping();
    paymentStep.hidden = false;
    paymentStep.querySelector("[data-order-ref]").textContent =
      "Order " + order.id + " is placed and waits for payment.";
    payButton.textContent = "Pay " + formatMoney(order.amountInCents, order.currency);
    if (mode === "stripe") {
      mountStripe();
    } else {
      document.getElementById("card-number").focus();
    }
  }

  function mountStripe() {
    if (typeof window.Stripe !== "function") {
      say(paymentMessage, "The payment form could not be loaded. Reload the page to try " +
          "again; your order is kept.", "error");
      payButton.disabled = true;
      return;
    }
    stripe = window.Stripe(root.dataset.publishableKey);
    elements = stripe.elements({clientSecret: order.clientSecret});
    var container = document.getElementById("payment-element");
    container.textContent = "";
    elements.create("payment").mount(container);
  }

  var paying = false;

  function payWithTestCard(event) {
    event.preventDefault();
    if (paying) return;
    var cardNumber = document.getElementById("card-number");
    if (!cardNumber.value.trim()) {
      cardNumber.setAttribute("aria-invalid", "true");
      say(paymentMessage, "Enter a card number, e.g. 4242 4242 4242 4242.", "error");
      cardNumber.focus();
      return;
    }
    paying = true;
    busy(payButton, true);
    say(paymentMessage, "Paying…", "info");
    request("POST", root.dataset.confirmUrl, {clientSecret: order.clientSecret,
                                                      cardNumber: cardNumber.value})
      .then(function (answer) {
        if (answer.status === 200) {
          window.location.assign(completeUrl(order.id));  // the button stays disabled
          return;
        }
        paying = false;
        busy(payButton, false);
        cardNumber.setAttribute("aria-invalid", "true");
        say(paymentMessage, problemText(answer.data, "The payment failed.") +
            " Your order is kept: try again.", "error");
        cardNumber.focus();
      }, function () {
        paying = false;
        busy(payButton, false);
        say(paymentMessage, "The shop could not be reached. Try again.", "error");
      });
  }

  function payWithStripe(event) {
    event.preventDefault();
    if (paying || !elements) return;
    paying = true;
    busy(payButton, true);
    say(paymentMessage, "", null);
    // On success Stripe takes the browser to return_url; only errors come back here.
    stripe.confirmPayment({elements: elements,
                           confirmParams: {return_url: completeUrl(order.id)}})
      .then(function (result) {
        paying = false;
        busy(payButton, false);
        if (result && result.error) {
          say(paymentMessage, result.error.message || "The payment failed.", "error");
        }
      });
  }

  // The buttons are rendered disabled, so that nothing is clicked before this runs.
  if (checkoutButton) {
    checkoutButton.addEventListener("click", function () { placeOrder(false); });
    checkoutButton.disabled = false;
  }
  var testForm = document.getElementById("test-card-form");
  if (testForm) testForm.addEventListener("submit", payWithTestCard);
  var stripeForm = document.getElementById("stripe-payment-form");
  if (stripeForm) stripeForm.addEventListener("submit", payWithStripe);
  payButton.disabled = false;
  if (order) showPayment();
}
