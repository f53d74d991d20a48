"""In Chromium: staff add a product with a picture, a shopper finds it by search and buys it,
staff restock it; the ledger tells the whole story."""

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser.helpers import PAY, register
from tests.helpers import PASSWORD, test_config

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config(tmp_path, database):
    return test_config(tmp_path, SHOP_MEDIA_DIR=str(tmp_path / "media"))


def test_staff_create_a_product_a_shopper_finds_and_buys_it_staff_restock(
        live_server, make_user, browser, tmp_path, screenshot):
    base = live_server.url
    make_user("owner@example.com", staff=True)
    picture = tmp_path / "crock.jpg"
    photo = io.BytesIO()
    Image.new("RGB", (900, 600), (180, 90, 20)).save(photo, "JPEG")
    picture.write_bytes(photo.getvalue())

    staff = browser.new_page()
    staff.goto(f"{base}/login?next=/staff/products")
    staff.get_by_label("Email").fill("owner@example.com")
    staff.get_by_label("Password").fill(PASSWORD)
    staff.get_by_role("button", name="Log in").click()
    staff.wait_for_url("**/staff/products")
    staff.get_by_role("link", name="New product").click()
    staff.get_by_label("Name").fill("Sourdough Crock")
    staff.get_by_label("SKU").fill("CROCK-1")
    staff.get_by_label("Price").fill("32.00")
    staff.get_by_label("Opening stock").fill("2")
    staff.get_by_label("Description").fill("A stoneware crock for a sourdough starter.")
    staff.get_by_role("button", name="Create product").click()
    expect(staff.get_by_text("Sourdough Crock is in the catalog.")).to_be_visible()

    staff.get_by_label("Picture file").set_input_files(str(picture))
    preview = staff.locator("[data-image-preview-target]")
    expect(preview).to_be_visible()
    expect(preview).to_have_attribute("src", re.compile(r"^blob:"))
    staff.get_by_role("button", name="Upload picture").click()
    expect(staff.get_by_text("The new picture is up.")).to_be_visible()
    current = staff.get_by_alt_text("Current picture of Sourdough Crock")
    expect(current).to_have_attribute("src", re.compile(r"^/media/[0-9a-f]+-480\.jpg$"))
    assert current.evaluate("img => img.currentSrc").endswith(".webp")  # Chromium takes WebP
    screenshot(staff, "staff")

    shopper = browser.new_page()
    register(shopper, base, "finder@example.com")
    shopper.goto(base + "/")
    shopper.get_by_label("Search").fill("sourdough")
    shopper.get_by_role("button", name="Search").click()
    card = shopper.get_by_role("listitem").filter(
        has=shopper.get_by_role("heading", name="Sourdough Crock", exact=True))
    expect(card).to_have_count(1)
    expect(shopper.locator(".product-card")).to_have_count(1)
    picture = card.locator("img")
    picture.scroll_into_view_if_needed()
    # decode() settles once the picture has loaded (a plain read can come before it has).
    loaded = picture.evaluate("img => img.decode().then(() => img.naturalWidth)")
    assert loaded == 480
    card.get_by_role("button", name="Add to cart").click()
    shopper.get_by_text("to your cart").wait_for()
    shopper.get_by_role("link", name=re.compile(r"^Cart")).click()
    shopper.get_by_role("button", name="Proceed to checkout").click()
    shopper.get_by_role("button", name="Checkout").click()
    shopper.get_by_label("Card number").fill("4242 4242 4242 4242")
    shopper.get_by_role("button", name=PAY).click()
    expect(shopper.get_by_text("Thank you! Your payment went through.")).to_be_visible()

    staff.reload()
    expect(staff.get_by_role("heading", name="Stock: 1")).to_be_visible()
    staff.get_by_label("Change").fill("24")
    staff.get_by_label("Reason").fill("delivery from the potter")
    staff.get_by_role("button", name="Adjust stock").click()
    expect(staff.get_by_text("Stock is now 25.")).to_be_visible()
    history = staff.get_by_role("table", name="Stock history")
    rows = history.locator("tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("delivery from the potter")
    expect(rows.nth(0)).to_contain_text("owner@example.com")
    expect(rows.nth(1)).to_contain_text("order placed")
    expect(rows.nth(2)).to_contain_text("opening stock")
    screenshot(staff, "restocked")
    staff.close()
    shopper.close()
