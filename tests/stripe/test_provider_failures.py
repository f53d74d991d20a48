"""When Stripe fails while an order is placed: 502, and no order or stock is left behind."""

import pytest
from sqlalchemy import func, select

from shop.extensions import db
from shop.orders.models import IdempotencyKey, Order
from shop.payments.gateway import build_gateway
from tests.stripe.helpers import free_port

pytestmark = pytest.mark.stripe

# Nothing listens on this port (it was free a moment ago and nobody is told about it).
CLOSED = f"http://127.0.0.1:{free_port()}"


def order_rows(app) -> tuple[int, int]:
    with app.app_context():
        return (db.session.scalar(select(func.count()).select_from(Order)),
                db.session.scalar(select(func.count()).select_from(IdempotencyKey)))


def assert_nothing_left_behind(app, shopper, pid, stock):
    assert order_rows(app) == (0, 0)
    assert shopper.client.get(f"/products/{pid}").json["stock"] == stock
    assert shopper.get("/orders").json == []


@pytest.mark.parametrize("app_config", [{"STRIPE_API_BASE": CLOSED}], indirect=True)
def test_the_stock_ledger_records_the_units_taken_and_given_back(app, shopper, staff,
                                                                 make_product):
    pid = make_product(price=1000, stock=3)
    assert shopper.post("/orders/new", json=[str(pid), str(pid)]).status_code == 502
    history = staff.get(f"/products/{pid}/stock").json
    moves = [(row["change"], row["reason"], row["stockAfter"]) for row in history[:2]]
    assert moves == [(2, "payment failed", 3), (-2, "order placed", 1)]


@pytest.mark.parametrize("app_config", [{"STRIPE_API_BASE": CLOSED}], indirect=True)
def test_stripe_unreachable_gives_502_and_leaves_no_order(app, shopper, make_product):
    pid = make_product(price=1000, stock=3)
    response = shopper.post("/orders/new", json=[str(pid)],
                            headers={"Idempotency-Key": "try-1"})
    assert response.status_code == 502, response.json
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json["status"] == 502
    assert response.json["code"] == "payment-provider-error"
    assert_nothing_left_behind(app, shopper, pid, 3)


@pytest.mark.parametrize("app_config", [{"STRIPE_SECRET_KEY": "sk_x"}], indirect=True)
def test_stripe_refusing_the_key_gives_502_and_leaves_no_order(app, shopper, make_product):
    pid = make_product(price=1000, stock=3)
    response = shopper.post("/orders/new", json=[str(pid)])
    assert response.status_code == 502, response.json
    assert "sk_x" not in response.get_data(as_text=True)
    assert_nothing_left_behind(app, shopper, pid, 3)


@pytest.mark.parametrize("app_config", [{"STRIPE_API_BASE": CLOSED}], indirect=True)
def test_after_a_failure_the_same_key_places_the_order_once_stripe_is_back(app, shopper,
                                                                          make_product,
                                                                          localstripe):
    # The compensating transaction released the Idempotency-Key with the order it withdrew.
    pid = make_product(price=1000, stock=3)
    down = shopper.post("/orders/new", json=[str(pid)], headers={"Idempotency-Key": "k-1"})
    assert down.status_code == 502
    assert_nothing_left_behind(app, shopper, pid, 3)
    app.extensions["shop.payment_gateway"] = build_gateway(
        {**app.config, "STRIPE_API_BASE": localstripe.url})
    first = shopper.post("/orders/new", json=[str(pid)], headers={"Idempotency-Key": "k-1"})
    again = shopper.post("/orders/new", json=[str(pid)], headers={"Idempotency-Key": "k-1"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json == first.json and first.json["clientSecret"]
    assert shopper.client.get(f"/products/{pid}").json["stock"] == 2


def test_a_free_order_is_refused_before_stripe_is_asked(app, shopper, make_product,
                                                        recording_proxy):
    app.extensions["shop.payment_gateway"] = build_gateway({**app.config,
                                                            "STRIPE_API_BASE": recording_proxy.url})
    pid = make_product(price=0, stock=3)
    response = shopper.post("/orders/new", json=[str(pid)])
    assert response.status_code == 422, response.json
    assert recording_proxy.seen == []
    assert_nothing_left_behind(app, shopper, pid, 3)


def test_stripe_unreachable_when_asked_about_a_payment_is_502_and_changes_nothing(
        app, shopper, make_product, localstripe):
    pid = make_product(price=1000, stock=3)
    order = shopper.post("/orders/new", json=[str(pid)]).json
    localstripe.pay(order["clientSecret"].split("_secret_")[0])
    app.extensions["shop.payment_gateway"] = build_gateway({**app.config,
                                                            "STRIPE_API_BASE": CLOSED})
    for status in ("paid", "cancelled"):
        response = shopper.post("/orders/status-update",
                                json={"orderId": order["id"], "status": status})
        assert response.status_code == 502, response.json
    assert shopper.get(f"/orders/{order['id']}").json["status"] == "pending"
    assert shopper.client.get(f"/products/{pid}").json["stock"] == 2
