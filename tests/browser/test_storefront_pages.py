"""The storefront in Chromium: adding to the cart keeps the shopper's place (with and without
JavaScript), and the lead board shows every column and drops a column where it is released."""

import json
import re

import pytest
from playwright.sync_api import expect

from shop import demo
from shop.leads import services as leads

pytestmark = pytest.mark.browser

SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def in_viewport(page, locator) -> bool:
    box = locator.bounding_box()
    size = page.viewport_size
    return (box is not None and box["y"] >= 0 and box["y"] + box["height"] <= size["height"]
            and box["x"] >= 0 and box["x"] + box["width"] <= size["width"])


def card_of(page, name: str):
    return page.get_by_role("listitem").filter(
        has=page.get_by_role("heading", name=name, exact=True))


@pytest.mark.parametrize("size", SIZES)
def test_adding_from_the_catalog_shows_the_message_beside_the_button(
        live_server, app, page, screenshot, size):
    with app.app_context():
        demo.seed(app.config)
    page.set_viewport_size(SIZES[size])
    page.goto(live_server.url + "/")
    card = card_of(page, "Walnut Cutting Board")  # the last card: far down on a phone
    button = card.get_by_role("button", name="Add to cart")
    button.scroll_into_view_if_needed()
    scrolled = page.evaluate("window.scrollY")
    with page.expect_response(lambda r: r.url.endswith("/cart/add")) as answer:
        button.click()
    assert answer.value.status == 200
    message = card.get_by_role("status")
    expect(message).to_have_text("Added Walnut Cutting Board to your cart · View cart")
    assert in_viewport(page, message)
    assert page.evaluate("window.scrollY") == scrolled  # no navigation, no jump
    expect(page.locator("[data-cart-count]")).to_have_text("1")
    assert page.url == live_server.url + "/"
    screenshot(page, "added")

    button.click()
    expect(message).to_have_text(
        "Added Walnut Cutting Board to your cart (2 in the cart) · View cart")
    expect(page.locator("[data-cart-count]")).to_have_text("2")
    message.get_by_role("link", name="View cart").click()
    expect(page.locator(".cart-line")).to_have_count(1)
    expect(page.get_by_label("Quantity of Walnut Cutting Board")).to_have_value("2")


def test_a_refusal_shows_beside_the_button_and_changes_nothing(live_server, make_product, page):
    make_product(name="Apron", stock=2)
    page.goto(live_server.url + "/")
    page.route("**/cart/add", lambda route: route.fulfill(
        status=409, content_type="application/problem+json",
        body=json.dumps({"type": "about:blank", "title": "Not enough stock", "status": 409,
                         "detail": "Only 2 Apron left."})))
    page.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_role("status")).to_have_text("Only 2 Apron left.")
    expect(page.locator("[data-cart-count]")).to_have_text("0")


@pytest.mark.parametrize("size", SIZES)
def test_without_javascript_the_page_comes_back_at_the_message(live_server, app, browser,
                                                                screenshot, size):
    with app.app_context():
        demo.seed(app.config)
    context = browser.new_context(java_script_enabled=False, viewport=SIZES[size])
    try:
        page = context.new_page()
        page.goto(live_server.url + "/?sort=price")
        card = card_of(page, "Walnut Cutting Board")
        card.get_by_role("button", name="Add to cart").click()
        page.wait_for_url(re.compile(r"/\?sort=price#product-\d+$"))
        message = page.locator(".flashes").get_by_role("status")
        expect(message).to_have_text("Added Walnut Cutting Board to your cart · View cart")
        assert in_viewport(page, message)
        # The shopper's place is kept: the card is in view, below the message, not under it.
        assert in_viewport(page, card.get_by_role("button", name="Add to cart"))
        assert card.bounding_box()["y"] >= message.bounding_box()["y"] + \
            message.bounding_box()["height"]
        expect(page.locator("[data-cart-count]")).to_have_text("1")
        screenshot(page, "added")

        # The product page: back at its Add to cart form, the message in view above it.
        card.get_by_role("link").first.click()
        page.get_by_label("Quantity").fill("2")
        page.get_by_role("button", name="Add to cart").click()
        page.wait_for_url(re.compile(r"/catalog/\d+#buy$"))
        message = page.locator(".flashes").get_by_role("status")
        expect(message).to_have_text(
            "Added 2 × Walnut Cutting Board to your cart (3 in the cart) · View cart")
        assert in_viewport(page, message)
        assert in_viewport(page, page.get_by_role("button", name="Add to cart"))
    finally:
        context.close()


def test_the_board_shows_every_column_on_a_desk_and_drops_a_column_where_released(
        live_server, app, make_user, logged_in_as, page, screenshot):
    with app.app_context():
        demo.seed(app.config)
        names = [s.name for s in leads.list_statuses()]
    assert len(names) == 6
    make_user("sales@example.com", staff=True)
    logged_in_as("sales@example.com")
    page.emulate_media(reduced_motion="reduce")
    page.set_viewport_size(SIZES["desktop"])
    page.goto(live_server.url + "/staff/leads")
    columns = page.locator("[data-status-id]")
    expect(columns).to_have_count(6)
    for index in range(6):
        assert in_viewport(page, columns.nth(index).locator(".column-header")), names[index]
    assert page.evaluate("document.querySelector('[data-board]').scrollWidth"
                         " <= document.querySelector('[data-board]').clientWidth")

    # Drag the second column one place to the right: it lands third.
    source = columns.nth(1).locator("[data-drag-handle]")
    target = columns.nth(2).locator(".column-title")
    with page.expect_response(lambda r: r.url.endswith("/leads/statuses/order")) as answer:
        source.drag_to(target)
    assert answer.value.status == 200
    expected = [names[0], names[2], names[1], *names[3:]]
    assert page.locator("[data-status-id] .column-title").all_inner_texts() == expected
    with app.app_context():
        assert [s.name for s in leads.list_statuses()] == expected
    screenshot(page, "after-drag")


def test_the_board_stacks_its_columns_on_a_phone(live_server, app, make_user, logged_in_as,
                                                 page, screenshot):
    with app.app_context():
        demo.seed(app.config)
    make_user("sales@example.com", staff=True)
    logged_in_as("sales@example.com")
    page.set_viewport_size(SIZES["phone"])
    page.goto(live_server.url + "/staff/leads")
    columns = page.locator("[data-status-id]")
    expect(columns).to_have_count(6)
    first, second = columns.nth(0).bounding_box(), columns.nth(1).bounding_box()
    assert second["y"] > first["y"] + first["height"] - 1  # one above the other
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.evaluate("document.querySelector('[data-board]').scrollWidth"
                         " <= document.querySelector('[data-board]').clientWidth")
    screenshot(page, "phone")
