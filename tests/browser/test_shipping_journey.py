"""Shipping and mail in Chromium: a shopper ships to an address and pays, the confirmation
reaches a real SMTP server, staff ship the order with tracking, the shopper sees it."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import PAY, add_to_cart_from_catalog, register
from tests.helpers import PASSWORD, test_config
from tests.mail_server import body_html, body_text

pytestmark = pytest.mark.browser

GOOD_CARD = "4242 4242 4242 4242"


@pytest.fixture
def app_config(database, tmp_path, mail_server):
    return test_config(tmp_path, **mail_server.config(), MAIL_DELIVER_AFTER_COMMIT=True)


def log_in_as(page, base: str, email: str, next_path: str) -> None:
    page.goto(f"{base}/login?next={next_path}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**{next_path}")


def test_a_shopper_ships_to_an_address_pays_and_is_told_when_it_ships(
        live_server, demo_catalog, db_state, mail_server, courier, make_user, page, browser,
        screenshot):
    base = live_server.url
    register(page, base, "rosa@example.com")
    add_to_cart_from_catalog(page, base, "Ceramic Mug")
    page.get_by_role("link", name=re.compile(r"^Cart")).click()
    page.get_by_role("button", name="Proceed to checkout").click()

    # Pickup is chosen first and needs no address; Standard shipping asks for one.
    expect(page.get_by_label("Full name")).to_be_hidden()
    page.get_by_label("Standard shipping · $5.00").check()
    expect(page.locator("[data-order-total]")).to_have_text("$19.00")  # 14.00 + 5.00
    page.get_by_role("button", name="Checkout").click()
    expect(page.locator("#checkout-message")).to_have_text(
        "Please fill in the shipping address: Full name, Address, City, Postal code, Country.")
    expect(page.get_by_label("Full name")).to_have_attribute("aria-invalid", "true")
    screenshot(page, "address-missing")

    page.get_by_label("Full name").fill("Rosa Diaz")
    page.get_by_label("Address", exact=True).fill("1 Main St")
    page.get_by_label("Postal code").fill("12345")
    page.get_by_label("City").fill("Springfield")
    page.get_by_label("Country").select_option("US")
    page.get_by_role("button", name="Checkout").click()
    pay = page.get_by_role("button", name=PAY)
    expect(pay).to_have_text("Pay $19.00")
    page.get_by_label("Card number").fill(GOOD_CARD)
    pay.click()

    expect(page).to_have_url(re.compile(r"/account/orders/\d+/thank-you$"))
    [order] = db_state.orders()
    expect(page.locator("[data-order-number]")).to_have_text(str(order["id"]))
    expect(page.get_by_text("What happens next")).to_be_visible()
    expect(page.get_by_text("send it by Standard shipping to Rosa Diaz, Springfield")) \
        .to_be_visible()
    screenshot(page, "thank-you")
    assert order["status"] == "paid" and order["amount"] == 1900

    [confirmation] = mail_server.wait_for(1)
    assert confirmation["To"] == "rosa@example.com"
    assert confirmation["Subject"] == f"Order {order['id']} is confirmed"
    assert "Rosa Diaz" in body_text(confirmation) and "$19.00" in body_html(confirmation)

    # Staff, in their own browser session, mark it shipped with a tracking number.
    make_user("sales@example.com", staff=True)
    staff_page = browser.new_context().new_page()
    log_in_as(staff_page, base, "sales@example.com", f"/staff/orders/{order['id']}")
    expect(staff_page.get_by_text("Rosa Diaz")).to_be_visible()
    staff_page.get_by_label("Carrier").fill("UPS")
    staff_page.get_by_label("Tracking number").fill("1Z999AA10123456784")
    staff_page.get_by_label("Tracking URL").fill("https://ups.example/track/1Z999AA10123456784")
    with staff_page.expect_navigation():
        staff_page.get_by_role("button", name="Mark as shipped").click()
    expect(staff_page.locator("[data-order-status]")).to_have_text("shipped")
    expect(staff_page.locator("[data-tracking]")).to_contain_text("1Z999AA10123456784")
    screenshot(staff_page, "staff-shipped")
    staff_page.context.close()

    page.goto(f"{base}/account/orders/{order['id']}")
    expect(page.locator(".order-head [data-status]")).to_have_text("shipped")
    expect(page.locator("[data-tracking]")).to_contain_text("UPS 1Z999AA10123456784")
    expect(page.get_by_role("link", name="Track the parcel")).to_have_attribute(
        "href", "https://ups.example/track/1Z999AA10123456784")
    screenshot(page, "shopper-sees-tracking")

    mails = mail_server.wait_for(2)
    notice = mails[1]
    assert notice["Subject"] == f"Order {order['id']} is on its way"
    assert "1Z999AA10123456784" in body_text(notice)
