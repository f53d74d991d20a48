"""Orders the payment provider would not charge get a 422 naming the limit, before any call;
amounts follow the currency's minor unit on the pages."""

import pytest
from sqlalchemy import func, select

from shop import create_app
from shop.accounts import services as accounts
from shop.accounts.models import Role
from shop.catalog.models import Product
from shop.extensions import db
from shop.orders.models import Order
from shop.payments.models import OfflinePaymentIntent
from tests.conftest import PASSWORD, fresh_schema, test_config


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


@pytest.mark.parametrize("currency, price, shown, minimum", [
    ("jpy", 1999, "¥1,999", "¥50"), ("kwd", 1999, "1.999 KWD", "0.050 KWD"),
])
def test_currencies_without_two_decimals_read_right(tmp_path, currency, price, shown, minimum):
    app = create_app(test_config(tmp_path, SHOP_CURRENCY=currency))
    fresh_schema(app)
    try:
        with app.app_context():
            product = Product(name="Teapot", price_in_cents=price, stock=5, description="")
            cheap = Product(name="Pin", price_in_cents=1, stock=5, description="")
            db.session.add_all([product, cheap])
            db.session.commit()
            pid, cheap_id = product.id, cheap.id
        client = app.test_client()
        assert shown in client.get(f"/catalog/{pid}").get_data(as_text=True)
        with app.app_context():
            user = accounts.create_user("yen@example.com", PASSWORD, Role.CUSTOMER)
            _, token = accounts.create_token(user, "tests")
        headers = {"Authorization": f"Bearer {token}"}
        order = client.post("/orders/new", json=[pid], headers=headers)
        assert order.status_code == 201 and order.json["amountInCents"] == price
        too_small = client.post("/orders/new", json=[cheap_id], headers=headers)
        assert too_small.status_code == 422 and minimum in too_small.json["detail"]
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
