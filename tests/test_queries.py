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
    # Warm up: token last-used stamps are written at most once a minute. Another page than the
    # one counted, which this process would now keep (test_order_lists counts a kept one).
    few.get("/orders?limit=1")
    many.get("/orders?limit=1")

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
    many.get("/orders?limit=1")  # the token's stamp
    with count_queries() as paged:
        assert len(many.get("/orders?limit=10").json) == 10
    with count_queries() as whole:
        assert len(many.get("/orders").json) == 30
    assert len(paged) == len(whole)


def test_placing_an_order_does_not_read_it_back(app, api_as, make_product, count_queries):
    """The order and its items are in hand once written: attaching the payment intent is one
    UPDATE, with nothing read back but the status."""
    shopper = api_as("ann@example.com")
    mug, pot = make_product("Mug"), make_product("Teapot")
    assert shopper.post("/orders/new", json=[mug]).status_code == 201  # the token's stamp
    with count_queries() as statements:
        response = shopper.post("/orders/new", json=[mug, pot, pot])
    assert response.status_code == 201
    written = next(n for n, s in enumerate(statements) if s.startswith("INSERT INTO orders"))
    after = statements[written + 1:]
    assert not [s for s in after if s.lstrip().startswith("SELECT")], after
    assert sum(s.startswith("UPDATE orders") for s in after) == 1
    assert len(statements) <= 15, statements
