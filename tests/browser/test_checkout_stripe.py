"""The checkout page through the REAL Stripe gateway and localstripe, in Chromium.

TO FINISH AFTER MERGING the Stripe gateway branch (issue 3): this file uses its fixtures from
tests/stripe/fixtures.py (`localstripe`, `app_config` in Stripe mode, `webhooks_to_app`,
`wait_for`). Until they are in the tree the whole module is skipped, with that reason.

Stripe.js still cannot be fetched here, so the page gets the same stand-in as
test_checkout_stripe_page.py; its confirmPayment asks the test to pay the intent, which it
does at localstripe through the real stripe library (`localstripe.pay`, a card attached and
the intent confirmed, as Stripe.js would), before the stand-in follows return_url. The
webhook is delivered by localstripe itself, signed, to the live server.
"""

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import PAY, add_to_cart_from_catalog, cart_count, register

try:  # the Stripe gateway's fixtures arrive with issue 3
    from tests.stripe.fixtures import (  # noqa: F401  (fixtures, used by name)
        app_config,
        localstripe,
        localstripe_server,
        webhooks_to_app,
    )
    from tests.stripe.helpers import wait_for
except ImportError:
    pytest.skip("needs the Stripe gateway and the localstripe fixtures of tests/stripe "
                "(issue 3); finish after merging", allow_module_level=True)

pytestmark = [pytest.mark.browser, pytest.mark.stripe]

STAND_IN = (Path(__file__).parent / "stripe_js_stand_in.js").read_text()
STRIPE_JS_URL = "https://js.stripe.com/v3/"
PUBLISHABLE_KEY = "pk_test_shop_localstripe"


@pytest.fixture
def stripe_js(page, app, localstripe):
    """The stand-in Stripe.js; its confirmPayment pays the intent at localstripe."""
    import stripe

    app.config["STRIPE_PUBLISHABLE_KEY"] = PUBLISHABLE_KEY
    state = {"card": "4242424242424242"}

    def confirm(route):
        secret = json.loads(route.request.post_data)["clientSecret"]
        try:
            intent = localstripe.pay(secret.split("_secret_")[0], card=state["card"])
            answer = {"paymentIntent": {"id": intent.id, "status": intent.status}}
        except stripe.CardError as error:
            answer = {"error": {"type": "card_error", "message": error.user_message}}
        route.fulfill(status=200, content_type="application/json", body=json.dumps(answer),
                      headers={"Access-Control-Allow-Origin": "*"})

    page.route(STRIPE_JS_URL, lambda route: route.fulfill(
        status=200, content_type="application/javascript", body=STAND_IN))
    page.route("https://api.stripe.com/stand-in/confirm", confirm)
    return state


def test_a_shopper_pays_through_stripe_and_the_order_is_paid_on_return(
        webhooks_to_app, demo_catalog, db_state, stripe_js, page, screenshot):
    base = webhooks_to_app.url
    register(page, base, "yan@example.com")
    add_to_cart_from_catalog(page, base, "Enamel Teapot")
    page.goto(base + "/checkout")
    page.get_by_role("button", name="Checkout").click()
    expect(page.locator("[data-stand-in-payment-element]")).to_be_visible()
    [order] = db_state.orders()
    assert page.evaluate("window.stripeStandIn.clientSecret").startswith("pi_")

    page.get_by_role("button", name=PAY).click()
    # The return page asked localstripe, found the payment and recorded it: the thank-you page.
    expect(page).to_have_url(f"{base}/account/orders/{order['id']}/thank-you")
    expect(page.get_by_text("Thank you! Your payment went through.")).to_be_visible()
    expect(page.locator(".order-head [data-status]")).to_have_text("paid")
    assert cart_count(page) == "0"
    # localstripe's webhook arrives too, and changes nothing more.
    wait_for(lambda: db_state.orders()[0]["status"] == "paid",
             what="localstripe's payment_intent.succeeded webhook")
    page.goto(f"{base}/checkout/complete?order={order['id']}")
    expect(page.locator(".order-head [data-status]")).to_have_text("paid")
    screenshot(page)


def test_a_declined_card_at_stripe_is_shown_and_the_order_stays_pending(
        webhooks_to_app, demo_catalog, db_state, stripe_js, page, screenshot):
    base = webhooks_to_app.url
    stripe_js["card"] = "4000000000000341"  # attaches, then is declined (localstripe)
    register(page, base, "zoe@example.com")
    add_to_cart_from_catalog(page, base, "Apron")
    page.goto(base + "/checkout")
    page.get_by_role("button", name="Checkout").click()
    page.get_by_role("button", name=PAY).click()
    expect(page.locator("#payment-message")).to_contain_text("declined")
    assert db_state.orders()[0]["status"] == "pending"
    screenshot(page)
