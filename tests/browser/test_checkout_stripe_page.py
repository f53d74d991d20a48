"""The checkout page in Stripe mode, in Chromium, with Stripe.js replaced by a stand-in.

STRIPE_SECRET_KEY and STRIPE_PUBLISHABLE_KEY are set, so the page is in Stripe mode; the
gateway behind it is a stand-in too (the offline gateway's intents, not in test mode), so
these tests check the page's side: it loads Stripe.js from STRIPE_JS_URL, hands Stripe() the
publishable key and the order's clientSecret, mounts the Payment Element, confirms with an
absolute return_url, and the completion page reports what the gateway says. The journey
through the real Stripe gateway and localstripe is in test_checkout_stripe.py.
"""

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from shop.exceptions import PaymentDeclined
from shop.extensions import db
from shop.orders.models import Order
from shop.payments import services as payments
from shop.payments.offline import OfflineGateway
from tests.browser.helpers import PAY, add_to_cart_from_catalog, cart_count, register

pytestmark = pytest.mark.browser

STAND_IN = (Path(__file__).parent / "stripe_js_stand_in.js").read_text()
STRIPE_JS_URL = "https://js.stripe.com/v3/"
PUBLISHABLE_KEY = "pk_test_stand_in"


class StandInStripeGateway(OfflineGateway):
    """Intents kept like the offline gateway's, but presented as a real provider's."""

    name = "stripe-stand-in"
    test_mode = False


@pytest.fixture
def stripe_mode(app):
    app.config.update(STRIPE_SECRET_KEY="sk_test_stand_in", STRIPE_PUBLISHABLE_KEY=PUBLISHABLE_KEY)
    assert app.config["STRIPE_JS_URL"] == STRIPE_JS_URL  # the product loads it from Stripe
    gateway = StandInStripeGateway()
    app.extensions["shop.payment_gateway"] = gateway
    return gateway


@pytest.fixture
def stripe_js(page, app, stripe_mode):
    """Serve the stand-in at Stripe.js's URL; confirm intents when it asks, as Stripe would."""
    state = {"requests": 0, "card": "4242424242424242", "webhook": False}

    def serve_stripe_js(route):
        state["requests"] += 1
        route.fulfill(status=200, content_type="application/javascript", body=STAND_IN)

    def confirm(route):
        secret = json.loads(route.request.post_data)["clientSecret"]
        with app.app_context():
            order = db.session.scalar(select(Order).where(Order.client_secret == secret))
            try:
                intent = stripe_mode.confirm(secret, state["card"])
            except PaymentDeclined as declined:
                payments.record_payment_failed(order.payment_intent_id, declined.detail)
                db.session.commit()
                answer = {"error": {"type": "card_error", "message": declined.detail}}
            else:
                if state["webhook"]:
                    payments.record_payment_succeeded(intent, event_id="evt_stand_in")
                db.session.commit()
                answer = {"paymentIntent": {"id": intent.id, "status": intent.status}}
            db.session.remove()
        route.fulfill(status=200, content_type="application/json", body=json.dumps(answer),
                      headers={"Access-Control-Allow-Origin": "*"})

    page.route(STRIPE_JS_URL, serve_stripe_js)
    page.route("https://api.stripe.com/stand-in/confirm", confirm)
    return state


def start_checkout(page, base: str, email: str) -> None:
    register(page, base, email)
    add_to_cart_from_catalog(page, base, "Walnut Cutting Board")
    page.goto(base + "/checkout")
    page.get_by_role("button", name="Checkout").click()


def test_the_page_hands_stripe_js_the_key_and_client_secret_and_completes(
        live_server, demo_catalog, db_state, stripe_js, app, page, screenshot):
    base = live_server.url
    start_checkout(page, base, "uma@example.com")
    expect(page.locator("[data-stand-in-payment-element]")).to_be_visible()
    [order] = db_state.orders()
    with app.app_context():
        secret = db.session.get(Order, order["id"]).client_secret
    seen = page.evaluate("window.stripeStandIn")
    assert stripe_js["requests"] == 1
    assert seen["publishableKey"] == PUBLISHABLE_KEY
    assert seen["clientSecret"] == secret
    assert seen["elementType"] == "payment"
    assert seen["mountedOn"] == "payment-element"
    expect(page.get_by_label("Card number")).to_have_count(0)  # no test form in Stripe mode
    expect(page.locator(".test-banner")).to_have_count(0)
    screenshot(page, "payment-element")

    page.get_by_role("button", name=PAY).click()
    # No webhook comes (none is configured): the return page asks the provider, which says
    # succeeded for the order's amount and currency, and records it.
    expect(page).to_have_url(f"{base}/account/orders/{order['id']}/thank-you")
    assert page.evaluate("window.stripeStandIn") is None  # a new page: the browser moved on
    expect(page.get_by_text("Thank you! Your payment went through.")).to_be_visible()
    expect(page.locator(".order-head [data-status]")).to_have_text("paid")
    assert cart_count(page) == "0"
    assert db_state.orders()[0]["status"] == "paid"

    with app.app_context():  # the webhook, late: the order is paid already, nothing changes
        intent = stripe_js_intent(app, order["id"])
        payments.record_payment_succeeded(intent, event_id="evt_late")
        db.session.commit()
    page.reload()
    expect(page).to_have_url(f"{base}/account/orders/{order['id']}/thank-you")
    expect(page.locator(".order-head [data-status]")).to_have_text("paid")
    screenshot(page)


def stripe_js_intent(app, order_id: int):
    gateway = app.extensions["shop.payment_gateway"]
    order = db.session.get(Order, order_id)
    return gateway.retrieve_intent(order.payment_intent_id)


def test_the_return_url_is_absolute_and_names_the_order(live_server, demo_catalog, db_state,
                                                        stripe_js, page, screenshot):
    base = live_server.url
    stripe_js["webhook"] = True
    start_checkout(page, base, "vic@example.com")
    page.get_by_role("button", name=PAY).click()
    [order] = db_state.orders()
    expect(page).to_have_url(f"{base}/account/orders/{order['id']}/thank-you")
    expect(page.get_by_text("Thank you! Your payment went through.")).to_be_visible()
    expect(page.locator(".order-head [data-status]")).to_have_text("paid")
    screenshot(page)


def test_a_decline_from_stripe_js_is_shown_and_the_shopper_can_retry(
        live_server, demo_catalog, db_state, stripe_js, page, screenshot):
    base = live_server.url
    stripe_js["card"] = "4000000000000002"
    start_checkout(page, base, "wes@example.com")
    pay = page.get_by_role("button", name=PAY)
    pay.click()
    expect(page.locator("#payment-message")).to_have_text("Your card was declined.")
    expect(pay).to_be_enabled()
    assert db_state.orders()[0]["status"] == "pending"
    screenshot(page, "declined")

    stripe_js["card"] = "4242424242424242"
    stripe_js["webhook"] = True
    pay.click()
    expect(page.locator(".order-head [data-status]")).to_have_text("paid")
    assert db_state.order_count() == 1
    screenshot(page)


def test_when_stripe_js_cannot_load_the_page_says_so(live_server, demo_catalog, db_state,
                                                      stripe_mode, page, screenshot):
    page.route(STRIPE_JS_URL, lambda route: route.abort())
    start_checkout(page, live_server.url, "xan@example.com")
    expect(page.locator("#payment-message")).to_contain_text(
        "The payment form could not be loaded.")
    expect(page.get_by_role("button", name=PAY)).to_be_disabled()
    screenshot(page)
