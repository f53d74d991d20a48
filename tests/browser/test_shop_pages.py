"""The shopper's pages in Chromium at a desktop's and a phone's width: they fit, they work
with the keyboard, and product pictures load."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import add_to_cart_from_catalog, cart_count, register

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def fits_the_width(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_catalog_product_and_cart_pages_fit_and_show_pictures(live_server, demo_catalog, page,
                                                              screenshot, viewport):
    page.set_viewport_size(viewport)
    base = live_server.url
    page.goto(base + "/")
    expect(page.get_by_role("heading", name="Catalog")).to_be_visible()
    expect(page.get_by_text("Test mode")).to_have_count(2)  # the banner and the footer
    card = page.get_by_role("listitem").filter(
        has=page.get_by_role("heading", name="Ceramic Mug", exact=True))
    expect(card).to_contain_text("$14.00")
    expect(card).to_contain_text("120 left")
    picture = card.locator("img")
    expect(picture).to_have_attribute("src", "/static/img/products/mug.svg")
    picture.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                           arg=picture.element_handle())
    assert fits_the_width(page)
    screenshot(page, "catalog")

    card.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ceramic Mug")
    expect(page.get_by_text("A 350 ml stoneware mug, glazed by hand.")).to_be_visible()
    page.get_by_label("Quantity").fill("3")
    page.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_text("Added 3 × Ceramic Mug to your cart")).to_be_visible()
    assert cart_count(page) == "3"
    assert fits_the_width(page)
    screenshot(page, "product")

    page.get_by_role("link", name=re.compile(r"^Cart")).click()
    page.get_by_role("button", name="Try the demo cart").click()
    expect(page.get_by_text("Your cart now holds the demo cart.")).to_be_visible()
    expect(page.locator(".cart-line")).to_have_count(3)
    assert fits_the_width(page)
    screenshot(page, "cart")


def test_the_cart_is_usable_with_the_keyboard_alone(live_server, demo_catalog, page,
                                                    screenshot):
    base = live_server.url
    add_to_cart_from_catalog(page, base, "Glass Storage Jar")
    page.goto(base + "/cart")
    quantity = page.get_by_label("Quantity of Glass Storage Jar")
    quantity.focus()
    quantity.fill("4")
    page.keyboard.press("Enter")  # submits the line's own form
    expect(page.get_by_text("Your cart now holds 4 × Glass Storage Jar.")).to_be_visible()
    expect(page.locator("[data-cart-total]")).to_have_text("$38.00")

    page.get_by_label("Quantity of Glass Storage Jar").fill("999")
    page.keyboard.press("Enter")
    # The browser's own check (max=100) stops the form; the server would refuse it too.
    expect(page.locator("[data-cart-total]")).to_have_text("$38.00")

    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused.startswith("Update")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # focus is visible
    screenshot(page)


def test_a_visitor_is_sent_to_log_in_before_checkout_and_keeps_the_cart(
        live_server, demo_catalog, make_user, page, screenshot):
    base = live_server.url
    make_user("ann@example.com")
    add_to_cart_from_catalog(page, base, "Olive Wood Spoon")
    page.goto(base + "/cart")
    page.get_by_role("button", name="Proceed to checkout").click()
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.get_by_label("Email").fill("ann@example.com")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/checkout\??$"))
    expect(page.get_by_role("cell", name="Olive Wood Spoon")).to_be_visible()
    assert cart_count(page) == "1"
    screenshot(page)


def test_order_history_at_a_phone_width(live_server, demo_catalog, page, screenshot):
    page.set_viewport_size(PHONE)
    base = live_server.url
    register(page, base, "pat@example.com")
    page.goto(base + "/cart")
    page.get_by_role("button", name="Try the demo cart").click()
    page.get_by_role("button", name="Proceed to checkout").click()
    assert fits_the_width(page)
    screenshot(page, "checkout")
    page.get_by_role("button", name="Checkout").click()
    page.get_by_label("Card number").fill("4242424242424242")
    page.get_by_role("button", name=re.compile("^Pay")).click()
    expect(page.locator(".order-head [data-status]")).to_have_text("paid")
    assert fits_the_width(page)
    screenshot(page, "order")
    page.get_by_role("link", name="Orders", exact=True).click()
    expect(page.locator("[data-order-id]")).to_have_count(1)
    assert fits_the_width(page)
    screenshot(page)
