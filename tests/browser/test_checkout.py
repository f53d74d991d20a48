"""A shopper's journey in Chromium, in test mode: catalog, cart, checkout, paying, history."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import PAY, add_to_cart_from_catalog, cart_count, register

pytestmark = pytest.mark.browser

GOOD_CARD = "4242 4242 4242 4242"
DECLINED_CARD = "4000 0000 0000 0002"


def go_to_checkout(page) -> None:
    page.get_by_role("link", name=re.compile(r"^Cart")).click()
    page.get_by_role("button", name="Proceed to checkout").click()
    expect(page).to_have_url(re.compile(r"/checkout\??$"))


def test_a_shopper_registers_fills_the_cart_and_pays(live_server, demo_catalog, db_state,
                                                     page, screenshot):
    base = live_server.url
    register(page, base, "rosa@example.com")
    add_to_cart_from_catalog(page, base, "Ceramic Mug")
    add_to_cart_from_catalog(page, base, "Ceramic Mug")
    add_to_cart_from_catalog(page, base, "Linen Tea Towel")
    assert cart_count(page) == "3"

    go_to_checkout(page)
    expect(page.locator("[data-cart-total]")).to_have_text("$40.00")  # 2 × 14.00 + 12.00
    page.get_by_role("button", name="Checkout").click()

    pay = page.get_by_role("button", name=PAY)
    expect(pay).to_have_text("Pay $40.00")
    expect(page.get_by_text("Test payment.")).to_be_visible()
    page.get_by_label("Card number").fill(GOOD_CARD)
    pay.click()

    expect(page).to_have_url(re.compile(r"/account/orders/\d+/thank-you$"))
    expect(page.get_by_text("Thank you! Your payment went through.")).to_be_visible()
    expect(page.locator(".order-head [data-status]")).to_have_text("paid")
    assert cart_count(page) == "0"

    [order] = db_state.orders()
    assert order["status"] == "paid"
    assert order["amount"] == 4000
    assert sorted(order["quantities"].values()) == [1, 2]

    page.get_by_role("link", name="Orders", exact=True).click()
    entry = page.locator(f'[data-order-id="{order["id"]}"]')
    expect(entry.locator("[data-status]")).to_have_text("paid")
    expect(entry).to_contain_text("2 × Ceramic Mug")
    expect(entry).to_contain_text("$40.00")
    screenshot(page)


def test_a_declined_card_shows_the_reason_and_the_same_order_can_be_paid_again(
        live_server, demo_catalog, db_state, page, screenshot):
    base = live_server.url
    register(page, base, "sam@example.com")
    add_to_cart_from_catalog(page, base, "Chef's Knife")
    go_to_checkout(page)
    page.get_by_role("button", name="Checkout").click()
    page.get_by_label("Card number").fill(DECLINED_CARD)
    page.get_by_role("button", name=PAY).click()

    message = page.locator("#payment-message")
    expect(message).to_contain_text("Your card was declined.")
    expect(page.get_by_label("Card number")).to_have_attribute("aria-invalid", "true")
    screenshot(page, "declined")
    [order] = db_state.orders()
    assert order["status"] == "pending"
    assert order["payment_error"] == "Your card was declined."
    assert cart_count(page) == "1"  # nothing was bought: the cart stays

    # The shopper leaves and comes back later through the history: the order waits for them.
    page.goto(base + "/account/orders")
    page.get_by_role("link", name=f"Order {order['id']}").click()
    expect(page.locator(".order-head [data-status]")).to_have_text("pending")
    expect(page.get_by_text("The last payment attempt failed: Your card was declined.")) \
        .to_be_visible()
    page.get_by_role("link", name=PAY).click()
    page.get_by_label("Card number").fill(GOOD_CARD)
    page.get_by_role("button", name="Pay $89.00").click()

    expect(page.locator(".order-head [data-status]")).to_have_text("paid")
    assert [o["status"] for o in db_state.orders()] == ["paid"]  # the same order, not a new one
    assert cart_count(page) == "0"
    screenshot(page)


def test_double_clicks_on_checkout_and_pay_make_one_order_and_one_charge(
        live_server, demo_catalog, db_state, page, screenshot):
    base = live_server.url
    register(page, base, "dee@example.com")
    add_to_cart_from_catalog(page, base, "Apron")
    go_to_checkout(page)
    orders_posted = []
    page.on("request", lambda r: orders_posted.append(r) if r.method == "POST"
            and r.url.endswith("/orders/new") else None)

    page.get_by_role("button", name="Checkout").dblclick()
    page.get_by_label("Card number").fill(GOOD_CARD)
    page.get_by_role("button", name=PAY).dblclick()

    expect(page.locator(".order-head [data-status]")).to_have_text("paid")
    assert len(orders_posted) == 1
    assert db_state.order_count() == 1
    [intent] = db_state.intents()
    assert intent["status"] == "succeeded"
    screenshot(page)


def test_a_reload_of_the_checkout_page_keeps_to_the_order_already_placed(
        live_server, demo_catalog, db_state, page, screenshot):
    base = live_server.url
    register(page, base, "lou@example.com")
    add_to_cart_from_catalog(page, base, "Apron")
    go_to_checkout(page)
    page.get_by_role("button", name="Checkout").click()
    expect(page.get_by_label("Card number")).to_be_visible()

    page.reload()
    page.get_by_role("button", name="Checkout").click()
    expect(page.get_by_label("Card number")).to_be_visible()
    assert db_state.order_count() == 1  # the same Idempotency-Key replayed the first order
    screenshot(page)


def test_the_shopper_cancels_a_pending_order_from_its_page(live_server, demo_catalog,
                                                           db_state, page, screenshot):
    base = live_server.url
    register(page, base, "kim@example.com")
    add_to_cart_from_catalog(page, base, "Enamel Teapot")
    go_to_checkout(page)
    page.get_by_role("button", name="Checkout").click()
    expect(page.get_by_label("Card number")).to_be_visible()
    [order] = db_state.orders()

    page.goto(f"{base}/account/orders/{order['id']}")
    page.get_by_role("button", name="Cancel order").click()
    expect(page.get_by_text(f"Order {order['id']} is cancelled.")).to_be_visible()
    expect(page.locator(".order-head [data-status]")).to_have_text("cancelled")
    expect(page.get_by_role("button", name="Cancel order")).to_have_count(0)
    assert db_state.orders()[0]["status"] == "cancelled"
    screenshot(page)
