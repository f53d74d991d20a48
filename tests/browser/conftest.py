"""Helpers of the shopper journeys in Chromium: the demo catalog, registering, the DB's view."""

import re

import pytest
from sqlalchemy import func, select

from shop import demo
from shop.extensions import db
from shop.orders.models import Order
from shop.payments.models import OfflinePaymentIntent
from tests.conftest import PASSWORD

PAY = re.compile(r"^Pay ")


@pytest.fixture
def demo_catalog(app):
    """The demo catalog (with its pictures), as `flask shop seed-demo` makes it."""
    with app.app_context():
        demo.seed(app.config)


@pytest.fixture
def db_state(app):
    """Read what the database holds now, from the test's side of the live server."""

    class State:
        def orders(self) -> list[dict]:
            with app.app_context():
                rows = db.session.scalars(select(Order).order_by(Order.id)).all()
                result = [{"id": o.id, "status": o.status, "amount": o.amount_in_cents,
                           "user_id": o.user_id, "payment_error": o.payment_error,
                           "quantities": o.quantities()} for o in rows]
                db.session.remove()
                return result

        def intents(self) -> list[dict]:
            with app.app_context():
                rows = db.session.scalars(select(OfflinePaymentIntent)).all()
                result = [{"id": i.id, "status": i.status, "order_id": i.order_id}
                          for i in rows]
                db.session.remove()
                return result

        def order_count(self) -> int:
            with app.app_context():
                count = db.session.scalar(select(func.count()).select_from(Order))
                db.session.remove()
                return count

    return State()


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
