/* A STAND-IN for Stripe.js, for browser tests only. It is NOT Stripe.js.
 *
 * https://js.stripe.com/v3/ cannot be fetched where the tests run, so the tests serve this file
 * at that URL (page.route). It implements only what static/js/checkout.js calls: Stripe(key),
 * stripe.elements({clientSecret}), elements.create("payment").mount(el) and
 * stripe.confirmPayment({elements, confirmParams: {return_url}}). Everything it is given is
 * recorded in window.stripeStandIn for the test to check. confirmPayment asks the test (at
 * https://api.stripe.com/stand-in/confirm, answered by page.route; the shop's Content-Security-Policy
 * lets pages talk to api.stripe.com, as Stripe.js does) to confirm the intent, then,
 * as Stripe does, either resolves with {error} or sends the browser to return_url.
 */
(function () {
  "use strict";
  var record = window.stripeStandIn = {
    publishableKey: null, clientSecret: null, elementType: null, mountedOn: null,
    returnUrls: []
  };

  window.Stripe = function (publishableKey) {
    record.publishableKey = publishableKey;
    return {
      elements: function (options) {
        record.clientSecret = options && options.clientSecret;
        return {
          create: function (type) {
            record.elementType = type;
            return {
              mount: function (target) {
                var element = typeof target === "string" ? document.querySelector(target) : target;
                element.innerHTML = '<p data-stand-in-payment-element>Stand-in Payment Element</p>';
                record.mountedOn = element.id;
              }
            };
          }
        };
      },
      confirmPayment: function (params) {
        var returnUrl = params.confirmParams.return_url;
        record.returnUrls.push(returnUrl);
        return fetch("https://api.stripe.com/stand-in/confirm", {
          method: "POST", body: JSON.stringify({clientSecret: record.clientSecret})
        }).then(function (response) { return response.json(); }).then(function (answer) {
          if (answer.error) return {error: answer.error};
          var url = new URL(returnUrl);
          url.searchParams.set("payment_intent", record.clientSecret.split("_secret_")[0]);
          url.searchParams.set("payment_intent_client_secret", record.clientSecret);
          url.searchParams.set("redirect_status", "succeeded");
          window.location.assign(url.href);
          return new Promise(function () {});  // the page is going away, as with Stripe
        });
      }
    };
  };
})();
