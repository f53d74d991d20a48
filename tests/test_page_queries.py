"""Every shopper's page costs a fixed number of SQL statements, however many rows it shows.

The staff's order list and lead board have theirs in test_staff_pages.py; GET /orders in
test_queries.py.
"""

import re
import secrets

import pytest

from shop.catalog.models import Product
from shop.extensions import db
from shop.orders.models import Order, OrderItem
from tests.helpers import log_in

# At most this many statements per page: the login's user, the page's rows, their items.
MOST = 4


@pytest.fixture
def ann(client, make_user):
    """A test client logged in as a shopper, Ann; returns (client, her user id)."""
    user_id = make_user("ann@example.com")
    log_in(client, "ann@example.com")
    return client, user_id


def add_products(app, count: int) -> list[int]:
    with app.app_context():
        products = [Product(name=f"Product {n}", price_in_cents=100 + n, stock=50,
                            description="A product.") for n in range(count)]
        db.session.add_all(products)
        db.session.commit()
        return [p.id for p in products]


def add_orders(app, user_id: int, count: int, product_ids: list[int]) -> list[int]:
    with app.app_context():
        orders = [Order(user_id=user_id, status="pending", amount_in_cents=0, currency="usd",
                        payment_intent_id=f"pi_{secrets.token_hex(8)}",
                        client_secret=f"pi_{secrets.token_hex(8)}_secret",
                        items=[OrderItem(product_id=pid, name="P", price_in_cents=100,
                                         quantity=1) for pid in product_ids])
                  for n in range(count)]
        db.session.add_all(orders)
        db.session.commit()
        return [o.id for o in orders]


def csrf_token(client) -> str:
    html = client.get("/cart").get_data(as_text=True)
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', html).group(1)


def statements(client, count_queries, path: str) -> list[str]:
    client.get(path)  # warm up: nothing the first request does once may count
    with count_queries() as counted:
        response = client.get(path)
    assert response.status_code == 200, path
    return counted


def test_the_catalog_page_costs_the_same_for_2_or_20_products(app, client, count_queries):
    add_products(app, 2)
    few = statements(client, count_queries, "/")
    add_products(app, 18)
    many = statements(client, count_queries, "/")
    assert client.get("/").get_data(as_text=True).count('class="product-card"') == 20
    assert len(few) == len(many) <= MOST


def test_a_product_page_costs_a_fixed_number_of_statements(app, client, count_queries):
    [first, second] = add_products(app, 2)
    assert len(statements(client, count_queries, f"/catalog/{first}")) == len(
        statements(client, count_queries, f"/catalog/{second}")) <= MOST


def test_the_cart_costs_the_same_for_1_or_8_lines(app, ann, count_queries):
    client, _ = ann
    product_ids = add_products(app, 8)
    token = csrf_token(client)
    client.post("/cart/add",
                data={"csrf_token": token, "product_id": product_ids[0], "quantity": 1})
    few = statements(client, count_queries, "/cart")
    for pid in product_ids[1:]:
        client.post("/cart/add", data={"csrf_token": token, "product_id": pid, "quantity": 1})
    many = statements(client, count_queries, "/cart")
    assert client.get("/cart").get_data(as_text=True).count("/cart/lines/") >= 8
    assert len(few) == len(many) <= MOST


def test_the_order_history_costs_the_same_for_1_or_10_orders(app, ann, count_queries):
    client, user_id = ann
    product_ids = add_products(app, 4)
    add_orders(app, user_id, 1, product_ids)
    few = statements(client, count_queries, "/account/orders")
    add_orders(app, user_id, 9, product_ids)
    many = statements(client, count_queries, "/account/orders")
    assert len(few) == len(many) <= MOST


def test_an_order_page_costs_the_same_for_1_or_6_lines(app, ann, count_queries):
    client, user_id = ann
    product_ids = add_products(app, 6)
    [small] = add_orders(app, user_id, 1, product_ids[:1])
    [large] = add_orders(app, user_id, 1, product_ids)
    assert len(statements(client, count_queries, f"/account/orders/{small}")) == len(
        statements(client, count_queries, f"/account/orders/{large}")) <= MOST
