"""The staff order page in Chromium: a status button applies its transition through the API."""

import pytest
from playwright.sync_api import expect

from shop.accounts import services as accounts
from shop.extensions import db
from shop.orders import services as orders
from shop.orders.models import Order

pytestmark = pytest.mark.browser


def test_a_status_button_moves_the_order_and_the_page_shows_the_next_steps(
        live_server, make_user, make_product, logged_in_as, page, screenshot):
    app = live_server.app
    make_user("ann@example.com")
    make_user("sales@example.com", staff=True)
    product_id = make_product(name="Ceramic Mug", price=1400)
    with app.app_context():
        order, _ = orders.place_order(accounts.user_by_email("ann@example.com"), {product_id: 2})
        order_id = order.id

    logged_in_as("sales@example.com")
    page.goto(f"{live_server.url}/staff/orders")
    page.get_by_role("link", name=f"#{order_id}").click()
    page.wait_for_url(f"**/staff/orders/{order_id}")
    screenshot(page, "pending")

    with page.expect_navigation():
        page.get_by_role("button", name="Mark as paid").click()
    page.get_by_role("button", name="Mark as shipped").wait_for()
    buttons = page.locator("[data-order-actions] button").all_inner_texts()
    assert buttons == ["Mark as shipped", "Mark as completed", "Refund"]
    assert page.locator("[data-order-status]").text_content() == "paid"
    with app.app_context():
        assert db.session.get(Order, order_id).status == "paid"

    # Refunding asks first; saying no changes nothing.
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Refund", exact=True).click()
    with app.app_context():
        assert db.session.get(Order, order_id).status == "paid"
    screenshot(page, "paid")

    # A partial refund from the form: the ledger shows it, with what is left.
    with app.app_context():
        amount = db.session.get(Order, order_id).amount_in_cents
    page.get_by_label("Amount to refund").fill("2.50")
    page.get_by_label("Reason").fill("Scratched lid")
    with page.expect_navigation():
        page.get_by_role("button", name="Refund this amount").click()
    expect(page.get_by_text("Refunded $2.50 (succeeded).")).to_be_visible()
    expect(page.locator("[data-refunds] tbody tr")).to_have_count(1)
    expect(page.locator("[data-refundable]")).to_have_text(f"${(amount - 250) / 100:,.2f}")
    with app.app_context():
        order = db.session.get(Order, order_id)
        assert (order.status, order.refunded_in_cents) == ("paid", 250)
    screenshot(page, "partly-refunded")


def test_the_order_list_fits_a_phone(live_server, make_user, make_product, logged_in_as, page,
                                     screenshot):
    make_user("ann@example.com")
    make_user("sales@example.com", staff=True)
    product_id = make_product()
    with live_server.app.app_context():
        for _ in range(3):
            orders.place_order(accounts.user_by_email("ann@example.com"), {product_id: 1})
    page.set_viewport_size({"width": 390, "height": 844})
    logged_in_as("sales@example.com")
    page.goto(f"{live_server.url}/staff/orders")
    page.get_by_label("Status").select_option("pending")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**/staff/orders?status=pending*")
    assert page.locator("tbody tr").count() == 3
    screenshot(page, "phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
