"""Queries per request do not grow with the number of rows shown."""

from shop.catalog.models import Product
from shop.extensions import db
from shop.orders.models import Order, OrderItem


def add_orders(app, user_id: int, count: int, items_each: int = 4) -> None:
    with app.app_context():
        products = [Product(name=f"P{i}", price_in_cents=100 + i, stock=1000)
                    for i in range(items_each)]
        db.session.add_all(products)
        db.session.flush()
        for n in range(count):
            db.session.add(Order(
                user_id=user_id, status="pending", amount_in_cents=0, currency="usd",
                client_secret=f"pi_{user_id}_{n}_secret_x", payment_intent_id=f"pi_{user_id}_{n}",
                items=[OrderItem(product_id=p.id, name=p.name, price_in_cents=p.price_in_cents,
                                 quantity=2) for p in products],
            ))
        db.session.commit()


def test_listing_2_or_50_orders_costs_the_same_queries(app, api_as, count_queries):
    few, many = api_as("few@example.com"), api_as("many@example.com")
    add_orders(app, few.user_id, 2)
    add_orders(app, many.user_id, 50)
    few.get("/orders")  # warm up: token last-used stamps are written at most once a minute
    many.get("/orders")

    with count_queries() as small:
        response = few.get("/orders")
    assert len(response.json) == 2 and len(response.json[0]["products"]) == 4
    with count_queries() as large:
        response = many.get("/orders")
    assert len(response.json) == 50 and all(len(o["products"]) == 4 for o in response.json)

    assert len(small) == len(large), (small, large)
    assert len(large) <= 4


def test_a_page_of_orders_costs_the_same_queries_as_all(app, api_as, count_queries):
    many = api_as("many@example.com")
    add_orders(app, many.user_id, 30)
    many.get("/orders")
    with count_queries() as paged:
        assert len(many.get("/orders?limit=10").json) == 10
    with count_queries() as whole:
        assert len(many.get("/orders").json) == 30
    assert len(paged) == len(whole)
