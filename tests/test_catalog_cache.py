"""What every shopper sees of the catalog is cached, and forgotten when the catalog changes."""

import re

import pytest

from shop.catalog import services as catalog
from shop.catalog.models import Product
from shop.extensions import db
from tests.helpers import log_in


def stock_shown(html: str, product_id: int) -> str:
    card = html.split(f'id="product-{product_id}"', 1)[1].split("</li>", 1)[0]
    return re.search(r'class="stock[^"]*">([^<]+)<', card).group(1)


def test_the_catalog_page_is_read_once_then_kept(app, client, make_product, count_queries):
    make_product(name="Mug", stock=30)
    client.get("/")
    with count_queries() as again:
        html = client.get("/").get_data(as_text=True)
    assert "Mug" in html
    assert again == []  # an anonymous visitor's page, entirely from the cache


def test_a_process_asks_the_cache_only_for_the_version_of_what_it_read_before(
        app, client, make_product, monkeypatch):
    from shop.extensions import cache

    make_product(name="Mug", stock=30)
    client.get("/")
    asked = []
    get = cache.get
    monkeypatch.setattr(cache, "get", lambda key: asked.append(key) or get(key))
    assert "Mug" in client.get("/").get_data(as_text=True)
    assert asked == ["catalog:version"]  # the page itself from this process's memory
    make_product(name="Jar", stock=5)  # a new version: the new page is read and kept again
    asked.clear()
    assert "Jar" in client.get("/").get_data(as_text=True)
    assert "catalog:version" in asked and len(asked) > 1


def test_a_staff_adjustment_shows_at_once(app, client, make_product, make_user):
    mug = make_product(name="Mug", stock=30)
    assert stock_shown(client.get("/").get_data(as_text=True), mug) == "30 left"
    staff_id = make_user("sales@example.com", staff=True)
    with app.app_context():
        catalog.adjust_stock(mug, -4, "broken", user_id=staff_id)
    assert stock_shown(client.get("/").get_data(as_text=True), mug) == "26 left"
    assert {p["id"]: p["stock"] for p in client.get("/products").json}[mug] == 26


def test_an_order_and_its_cancellation_show_at_once(app, client, make_product, shopper):
    mug = make_product(name="Mug", stock=30)
    client.get("/"), client.get("/products")
    order = shopper.post("/orders/new", json=[{"id": mug, "quantity": 3}]).json
    assert stock_shown(client.get("/").get_data(as_text=True), mug) == "27 left"
    assert {p["id"]: p["stock"] for p in client.get("/products").json}[mug] == 27
    shopper.post("/orders/status-update", json={"orderId": order["id"], "status": "cancelled"})
    assert stock_shown(client.get("/").get_data(as_text=True), mug) == "30 left"


def test_any_write_to_products_shows_at_once(app, client, make_product):
    mug = make_product(name="Mug", stock=30)
    client.get("/")
    with app.app_context():
        db.session.get(Product, mug).name = "Big Mug"
        db.session.commit()
    make_product(name="Teapot")
    html = client.get("/").get_data(as_text=True)
    assert "Big Mug" in html and "Teapot" in html


def test_a_change_rolled_back_keeps_the_cache(app, client, make_product, shopper,
                                              count_queries):
    mug = make_product(name="Mug", stock=2)
    client.get("/")
    # Out of stock: the UPDATE ran, then the transaction rolled back.
    assert shopper.post("/orders/new", json=[{"id": mug, "quantity": 5}]).status_code == 409
    with count_queries() as again:
        assert stock_shown(client.get("/").get_data(as_text=True), mug) == "Only 2 left"
    assert again == []


def test_every_visitor_gets_their_own_csrf_token_in_the_kept_page(app, make_product):
    mug = make_product(name="Mug")
    tokens = []
    for _ in range(2):
        client = app.test_client()
        html = client.get("/").get_data(as_text=True)
        [meta] = re.findall(r'<meta name="csrf-token" content="([^"]+)"', html)
        forms = re.findall(r'name="csrf_token" value="([^"]+)"', html)
        assert forms and set(forms) == {meta}
        tokens.append(meta)
        response = client.post("/cart/add", data={"csrf_token": forms[0], "product_id": mug,
                                                  "quantity": 1})
        assert response.status_code == 302
        assert "Added Mug to your cart" in client.get("/cart").get_data(as_text=True)
    assert tokens[0] != tokens[1]


@pytest.mark.parametrize("path", ["/?q=mug", "/?category=no-such-thing"])
def test_searches_and_unknown_categories_are_not_kept(app, client, make_product, path,
                                                      count_queries):
    make_product(name="Mug")
    client.get(path)
    with count_queries() as again:
        assert client.get(path).status_code == 200
    assert again != []


def test_a_logged_in_shopper_sees_the_same_catalog(app, client, make_product, make_user):
    make_product(name="Mug", stock=30)
    make_user("ann@example.com")
    log_in(client, "ann@example.com")
    html = client.get("/").get_data(as_text=True)
    assert "Mug" in html and "30 left" in html
