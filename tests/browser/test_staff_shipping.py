"""Staff manage shipping methods on /staff/shipping; the checkout offers what is on offer."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import add_to_cart_from_catalog, register
from tests.helpers import PASSWORD

pytestmark = pytest.mark.browser


def test_staff_add_a_method_and_take_pickup_off_offer(live_server, demo_catalog, make_user,
                                                      page, browser, screenshot):
    base = live_server.url
    make_user("sales@example.com", staff=True)
    page.goto(f"{base}/login?next=/staff/shipping")
    page.get_by_label("Email").fill("sales@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/staff/shipping")
    expect(page.get_by_role("link", name="Shipping")).to_have_attribute("aria-current", "page")

    new = page.get_by_role("form", name="Add a shipping method")
    new.get_by_label("Name").fill("Express courier")
    new.get_by_label("Price").fill("12.50")
    new.get_by_label("Countries").fill("US CA")
    new.get_by_role("button", name="Add shipping method").click()
    expect(page.get_by_text("Express courier added.")).to_be_visible()

    pickup = page.get_by_role("form", name="Pickup")
    pickup.get_by_label("On offer").uncheck()
    pickup.get_by_role("button", name="Save Pickup").click()
    expect(page.get_by_text("Pickup saved.")).to_be_visible()
    expect(page.get_by_role("form", name="Pickup")).to_contain_text("not on offer")
    screenshot(page, "staff")

    shopper = browser.new_context().new_page()
    register(shopper, base, "rosa@example.com")
    add_to_cart_from_catalog(shopper, base, "Ceramic Mug")
    shopper.goto(base + "/checkout")
    methods = shopper.locator('input[name="shippingMethodId"]')
    expect(methods).to_have_count(2)
    expect(shopper.get_by_label(re.compile(r"^Express courier · \$12\.50"))).to_be_visible()
    expect(shopper.get_by_label(re.compile(r"^Pickup"))).to_have_count(0)
    # The first (cheapest) method needs an address, so the address fields show at once.
    expect(shopper.get_by_label("Full name")).to_be_visible()
    shopper.context.close()
