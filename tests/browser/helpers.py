"""What the browser tests import: registering, adding to the cart, the cart's badge."""

import re

from tests.helpers import PASSWORD

PAY = re.compile(r"^Pay ")


def register(page, base_url: str, email: str) -> None:
    """Create an account on the register page; the shopper ends logged in."""
    page.goto(base_url + "/register")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat password").fill(PASSWORD)
    page.get_by_role("button", name="Register").click()
    page.get_by_text("Welcome! Your account is ready.").wait_for()


def add_to_cart_from_catalog(page, base_url: str, product_name: str) -> None:
    """Press a product's Add to cart button on the catalog page."""
    page.goto(base_url + "/")
    card = page.get_by_role("listitem").filter(
        has=page.get_by_role("heading", name=product_name, exact=True))
    card.get_by_role("button", name="Add to cart").click()
    page.get_by_text("to your cart").wait_for()


def cart_count(page) -> str:
    return page.locator("[data-cart-count]").inner_text()
