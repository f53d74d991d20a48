"""Two buyers can never get the same last unit, with real concurrent transactions."""

import threading

import pytest

from shop.catalog.models import Product
from shop.extensions import db
from shop.orders.models import Order
from tests.helpers import TEST_DATABASE_URL, need

# Real transactions in several threads: they must commit for real.
pytestmark = [pytest.mark.postgres, pytest.mark.real_commits]

BUYERS = 20
LAST_UNITS = 5


def race(buyers, body) -> list[int]:
    """Every buyer posts `body` at the same moment; returns the status codes."""
    start = threading.Barrier(len(buyers))
    statuses: list[int] = []
    lock = threading.Lock()

    def buy(buyer):
        start.wait(timeout=30)
        response = buyer.post("/orders/new", json=body)
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=buy, args=(b,)) for b in buyers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


@pytest.mark.parametrize("units_each,winners", [(LAST_UNITS, 1), (1, LAST_UNITS)])
def test_twenty_buyers_racing_for_the_last_five_units(app, api_as, make_product,
                                                      units_each, winners):
    need(bool(TEST_DATABASE_URL), "the race needs PostgreSQL: set SHOP_TEST_DATABASE_URL")
    pid = make_product(stock=LAST_UNITS)
    buyers = [api_as(f"buyer{n}@example.com") for n in range(BUYERS)]

    statuses = race(buyers, [{"id": pid, "quantity": units_each}])

    assert sorted(statuses) == [201] * winners + [409] * (BUYERS - winners)
    with app.app_context():
        assert db.session.get(Product, pid).stock == 0
        orders = db.session.query(Order).all()
        assert len(orders) == winners
        assert sum(item.quantity for o in orders for item in o.items) == LAST_UNITS
