"""Benchmark the hot JSON paths with the Flask test client (no network, no browser).

    .venv/bin/python bench/orders_api.py [--orders 200] [--requests 300] [--database-url URL]

Prints requests per second and SQL statements per request for GET /orders (a page of 20 and
the whole history), GET /products and POST /orders/new. Numbers vary with the machine; compare
runs on the same one.
"""

import argparse
import tempfile
import time
from pathlib import Path

from sqlalchemy import event

from shop import create_app
from shop.accounts import services as accounts
from shop.catalog.models import Product
from shop.config import normalise_database_url
from shop.extensions import db
from shop.orders.models import Order, OrderItem


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=200)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--database-url")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="shop-bench-"))
    url = args.database_url or f"sqlite:///{workdir / 'bench.sqlite'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": normalise_database_url(url),
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "RATELIMIT_ENABLED": False,
                      "STRIPE_SECRET_KEY": None})
    with app.app_context():
        db.drop_all()
        db.create_all()
        user = accounts.create_user("bench@example.com", "bench-password")
        _, token = accounts.create_token(user, "bench")
        products = [Product(name=f"Product {i}", price_in_cents=500 + i, stock=10**6)
                    for i in range(12)]
        db.session.add_all(products)
        db.session.flush()
        for n in range(args.orders):
            db.session.add(Order(
                user_id=user.id, status="pending", amount_in_cents=0, currency="usd",
                payment_intent_id=f"pi_bench_{n}", client_secret=f"pi_bench_{n}_secret_x",
                items=[OrderItem(product_id=p.id, name=p.name, price_in_cents=p.price_in_cents,
                                 quantity=1) for p in products[:4]]))
        db.session.commit()
        engine = db.engine
        product_id = products[0].id

    statements = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(1))
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    cases = [
        ("GET /orders?limit=20", lambda: client.get("/orders?limit=20", headers=headers)),
        (f"GET /orders (all {args.orders})", lambda: client.get("/orders", headers=headers)),
        ("GET /products", lambda: client.get("/products")),
        ("POST /orders/new", lambda: client.post("/orders/new", json=[product_id],
                                                 headers=headers)),
    ]
    print(f"database: {engine.url.get_backend_name()}, {args.requests} requests each")
    for name, call in cases:
        call()  # warm up
        statements.clear()
        started = time.perf_counter()
        for _ in range(args.requests):
            response = call()
            assert response.status_code in (200, 201), response.get_data(as_text=True)
        elapsed = time.perf_counter() - started
        print(f"{name:28} {args.requests / elapsed:8.0f} req/s   "
              f"{len(statements) / args.requests:5.1f} SQL/request")


if __name__ == "__main__":
    main()
