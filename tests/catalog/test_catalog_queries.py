"""The catalog's lists cost a fixed number of queries, whatever their length."""

import pytest

from shop.catalog.models import Category, Product
from shop.extensions import db
from tests.helpers import log_in


def add_products(app, count: int) -> int:
    with app.app_context():
        category = Category(name=f"Shelf {count}", slug=f"shelf-{count}")
        products = [Product(name=f"P{count}-{n}", price_in_cents=100 + n, stock=n + 1,
                            sku=f"P{count}-{n}", category=category) for n in range(count)]
        db.session.add_all(products)
        db.session.commit()
        return products[0].id


@pytest.mark.parametrize("path", ["/products", "/products?limit=100", "/products?q=P&sort=-price",
                                  "/", "/?q=P&sort=newest", "/categories"])
def test_public_lists_cost_the_same_for_2_or_60_products(app, client, count_queries, path):
    add_products(app, 2)
    with count_queries() as few:
        assert client.get(path).status_code == 200
    add_products(app, 60)
    with count_queries() as many:
        assert client.get(path).status_code == 200
    assert len(few) == len(many) <= 2, (few, many)


def test_a_long_ledger_costs_the_same_queries(app, staff, count_queries):
    few = add_products(app, 1)
    many = add_products(app, 2)
    for _ in range(30):
        staff.post(f"/products/{many}/stock", json={"change": 1, "reason": "delivery"})
    staff.get(f"/products/{few}/stock")
    with count_queries() as short:
        assert len(staff.get(f"/products/{few}/stock").json) == 1
    with count_queries() as long:
        assert len(staff.get(f"/products/{many}/stock").json) == 31
    assert len(short) == len(long)


@pytest.mark.parametrize("path", ["/staff/products", "/staff/products?low=1",
                                  "/staff/products?archived=1&q=P"])
def test_staff_product_pages_cost_the_same_for_2_or_60_products(app, client, make_user,
                                                                count_queries, path):
    make_user("boss@example.com", staff=True)
    log_in(client, "boss@example.com")
    add_products(app, 2)
    client.get(path)
    with count_queries() as few:
        assert client.get(path).status_code == 200
    add_products(app, 60)
    with count_queries() as many:
        assert client.get(path).status_code == 200
    assert len(few) == len(many), (few, many)
