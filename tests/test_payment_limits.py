"""Orders the payment provider would not charge get a 422 naming the limit, before any call;
amounts follow the currency's minor unit on the pages."""

import pytest
from sqlalchemy import func, select

from shop.extensions import db
from shop.orders.models import Order
from shop.payments.models import OfflinePaymentIntent


def nothing_taken(app, client, pid: int, stock: int) -> None:
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Order)) == 0
        assert db.session.scalar(select(func.count()).select_from(OfflinePaymentIntent)) == 0
    assert client.get(f"/products/{pid}").json["stock"] == stock


def test_a_free_order_is_a_422_not_a_502(app, shopper, make_product):
    pid = make_product(price=0, stock=3)
    response = shopper.post("/orders/new", json=[str(pid)])
    assert response.status_code == 422, response.json
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json["code"] == "amount-out-of-range"
    assert "$0.50" in response.json["detail"] and response.json["minimumInCents"] == 50
    nothing_taken(app, shopper.client, pid, 3)


def test_a_hundred_units_of_300000_dollars_is_a_clean_422(app, shopper, make_product):
    pid = make_product(price=30_000_000, stock=1000)
    response = shopper.post("/orders/new", json=[{"id": pid, "quantity": 100}])
    assert response.status_code == 422, response.json
    assert response.json["maximumInCents"] == 99_999_999
    assert response.json["amountInCents"] == 3_000_000_000
    assert "$999,999.99" in response.json["detail"]
    nothing_taken(app, shopper.client, pid, 1000)


def test_the_largest_chargeable_order_goes_through(app, shopper, make_product):
    pid = make_product(price=99_999_999, stock=1)
    response = shopper.post("/orders/new", json=[pid])
    assert response.status_code == 201, response.json
    assert response.json["amountInCents"] == 99_999_999


@pytest.mark.parametrize("app_config, price, shown, minimum", [
    ({"SHOP_CURRENCY": "jpy"}, 1999, "¥1,999", "¥50"),
    ({"SHOP_CURRENCY": "kwd"}, 1999, "KWD1.999", "KWD0.050"),
], indirect=["app_config"], ids=["jpy", "kwd"])
def test_currencies_without_two_decimals_read_right(client, shopper, make_product, price,
                                                    shown, minimum):
    pid = make_product(name="Teapot", price=price, stock=5)
    cheap = make_product(name="Pin", price=1, stock=5)
    assert shown in client.get(f"/catalog/{pid}").get_data(as_text=True)
    order = shopper.post("/orders/new", json=[pid])
    assert order.status_code == 201 and order.json["amountInCents"] == price
    too_small = shopper.post("/orders/new", json=[cheap])
    assert too_small.status_code == 422 and minimum in too_small.json["detail"]
