"""Fixtures of the shopper journeys in Chromium: the demo catalog, the DB's view.

What the browser tests import by name is in tests/browser/helpers.py."""


import pytest
from sqlalchemy import func, select

from shop import demo
from shop.extensions import db
from shop.orders.models import Order
from shop.payments.models import OfflinePaymentIntent


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
