"""Catalog management through the JSON API: products, categories, the stock ledger."""

import pytest

from tests.helpers import log_in


@pytest.fixture
def kitchen(staff):
    return staff.post("/categories", json={"name": "Pots & Pans"}).json


def new_product(staff, **fields):
    body = {"name": "Skillet", "priceInCents": 4500, "stock": 10, **fields}
    response = staff.post("/products", json=body)
    assert response.status_code == 201, response.json
    return response.json


def test_staff_create_read_change_and_archive_a_product(client, staff, kitchen, ledger_agrees):
    created = staff.post("/products", json={
        "name": "Cast-Iron Skillet", "priceInCents": 4500, "stock": 12, "sku": "SK-26",
        "description": "Pre-seasoned.", "categoryId": kitchen["id"]})
    assert created.status_code == 201
    product = created.json
    assert created.headers["Location"] == f"/products/{product['id']}"
    assert product["sku"] == "SK-26" and product["stock"] == 12 and product["active"]
    assert product["category"] == {"id": kitchen["id"], "name": "Pots & Pans",
                                   "slug": "pots-pans"}
    assert client.get(f"/products/{product['id']}").json == product

    changed = staff.patch(f"/products/{product['id']}", json={"priceInCents": 4900,
                                                              "categoryId": None})
    assert changed.status_code == 200
    assert changed.json["priceInCents"] == 4900 and changed.json["category"] is None

    assert staff.delete(f"/products/{product['id']}").status_code == 204
    assert client.get(f"/products/{product['id']}").status_code == 404
    assert client.get("/products").json == []
    archived = staff.get(f"/products/{product['id']}").json
    assert archived["active"] is False
    assert [p["id"] for p in staff.get("/products?active=all").json] == [product["id"]]
    assert staff.get("/products?active=false").json[0]["id"] == product["id"]
    assert client.get("/products?active=all").status_code == 403
    ledger_agrees()


def test_an_archived_product_that_an_order_names_is_kept_and_not_sold(shopper, staff):
    product = new_product(staff)
    order = shopper.post("/orders/new", json=[str(product["id"])])
    assert order.status_code == 201
    assert staff.delete(f"/products/{product['id']}").status_code == 204
    assert shopper.get(f"/orders/{order.json['id']}").json["products"][0]["name"] == "Skillet"
    refused = shopper.post("/orders/new", json=[str(product["id"])])
    assert refused.status_code == 422


def test_a_price_change_applies_to_new_orders_only(shopper, staff):
    product = new_product(staff, priceInCents=1000)
    first = shopper.post("/orders/new", json=[str(product["id"])]).json
    staff.patch(f"/products/{product['id']}", json={"priceInCents": 1500})
    second = shopper.post("/orders/new", json=[str(product["id"])]).json
    assert shopper.get(f"/orders/{first['id']}").json["amountInCents"] == 1000
    assert second["amountInCents"] == 1500


def test_customers_get_403_and_anonymous_callers_401(client, shopper):
    for call in (lambda c: c.post("/products", json={"name": "X", "priceInCents": 1}),
                 lambda c: c.patch("/products/1", json={"name": "X"}),
                 lambda c: c.delete("/products/1"),
                 lambda c: c.post("/products/1/stock", json={"change": 1, "reason": "x"}),
                 lambda c: c.get("/products/1/stock"),
                 lambda c: c.post("/categories", json={"name": "X"})):
        assert call(shopper).status_code == 403
        assert call(client).status_code == 401


@pytest.mark.parametrize("body,field", [
    ({"priceInCents": 100}, "name"),
    ({"name": "", "priceInCents": 100}, "name"),
    ({"name": "   ", "priceInCents": 100}, "name"),
    ({"name": "Mug", "priceInCents": -1}, "priceInCents"),
    ({"name": "Mug", "priceInCents": 12.5}, "priceInCents"),
    ({"name": "Mug", "priceInCents": "1200"}, "priceInCents"),
    ({"name": "Mug", "priceInCents": 2**31}, "priceInCents"),
    ({"name": "Mug", "priceInCents": True}, "priceInCents"),
    ({"name": "Mug", "priceInCents": 100, "stock": -3}, "stock"),
    ({"name": "Mug\x00", "priceInCents": 100}, "name"),
    ({"name": "Mug\ud800", "priceInCents": 100}, "name"),
    ({"name": "Mug", "priceInCents": 100, "description": "a\x07b"}, "description"),
    ({"name": "Mug", "priceInCents": 100, "sku": "has space"}, "sku"),
    ({"name": "Mug", "priceInCents": 100, "categoryId": 0}, "categoryId"),
    ({"name": "Mug", "priceInCents": 100, "active": "yes"}, "active"),
    ({"name": "Mug", "priceInCents": 100, "colour": "red"}, "colour"),
])
def test_bad_product_fields_are_400_naming_the_field(staff, client, body, field):
    response = staff.post("/products", json=body)
    assert response.status_code == 400, response.json
    assert response.mimetype == "application/problem+json"
    assert field in [e["field"] for e in response.json["errors"]]
    assert client.get("/products").json == []


def test_bodies_that_are_not_objects_or_not_json(staff):
    assert staff.post("/products", json=[1]).status_code == 400
    assert staff.post("/products", data="{", content_type="application/json").status_code == 400
    assert staff.post("/products", data="x", content_type="text/plain").status_code == 415


def test_duplicate_sku_is_409_and_unknown_category_422(staff):
    first = new_product(staff, sku="MUG-1")
    response = staff.post("/products", json={"name": "Other", "priceInCents": 1,
                                             "sku": "MUG-1"})
    assert response.status_code == 409 and response.json["errors"][0]["field"] == "sku"
    other = new_product(staff, sku="MUG-2")
    assert staff.patch(f"/products/{other['id']}", json={"sku": "MUG-1"}).status_code == 409
    assert staff.patch(f"/products/{first['id']}", json={"sku": "MUG-1"}).status_code == 200
    unknown = staff.post("/products", json={"name": "X", "priceInCents": 1, "categoryId": 999})
    assert unknown.status_code == 422 and unknown.json["errors"][0]["field"] == "categoryId"


def test_patch_refuses_stock_and_nulls(staff):
    product = new_product(staff)
    response = staff.patch(f"/products/{product['id']}", json={"stock": 99})
    assert response.status_code == 400
    assert response.json["errors"][0]["field"] == "stock"
    assert response.json["errors"][0]["message"].startswith("Stock cannot be set directly")
    assert "adjustment" in response.json["errors"][0]["message"]
    assert staff.patch(f"/products/{product['id']}", json={"name": None}).status_code == 400
    assert staff.get(f"/products/{product['id']}").json["stock"] == 10
    assert staff.patch("/products/424242", json={"name": "X"}).status_code == 404


def test_stock_adjustments_write_the_ledger(staff, shopper, ledger_agrees):
    product = new_product(staff, stock=10)
    pid = product["id"]
    restocked = staff.post(f"/products/{pid}/stock", json={"change": 5, "reason": "delivery"})
    assert restocked.status_code == 200 and restocked.json["stock"] == 15
    damaged = staff.post(f"/products/{pid}/stock", json={"change": -3, "reason": "damaged"})
    assert damaged.json["stock"] == 12
    order = shopper.post("/orders/new", json=[{"id": pid, "quantity": 2}]).json
    shopper.post("/orders/status-update", json={"orderId": order["id"], "status": "cancelled"})

    history = staff.get(f"/products/{pid}/stock").json
    assert [(h["change"], h["reason"], h["stockAfter"]) for h in history] == [
        (2, "order cancelled", 12), (-2, "order placed", 10), (-3, "damaged", 12),
        (5, "delivery", 15), (10, "opening stock", 10)]
    assert history[0]["orderId"] == history[1]["orderId"] == order["id"]
    assert history[2]["userId"] == staff.user_id and history[2]["orderId"] is None
    assert all(h["at"].endswith("Z") for h in history)
    page = staff.get(f"/products/{pid}/stock?limit=2")
    assert len(page.json) == 2 and 'rel="next"' in page.headers["Link"]
    ledger_agrees()


@pytest.mark.parametrize("body,status,field", [
    ({"change": 0, "reason": "count"}, 400, "change"),
    ({"change": 3}, 400, "reason"),
    ({"change": 3, "reason": ""}, 400, "reason"),
    ({"change": 1.5, "reason": "x"}, 400, "change"),
    ({"change": "3", "reason": "x"}, 400, "change"),
    ({"change": -11, "reason": "lost"}, 409, "change"),
    ({"change": 2**31 - 1, "reason": "huge"}, 409, "change"),
    ({"change": 2**31, "reason": "huge"}, 400, "change"),
])
def test_bad_adjustments_are_refused_and_change_nothing(staff, body, status, field,
                                                        ledger_agrees):
    pid = new_product(staff, stock=10)["id"]
    response = staff.post(f"/products/{pid}/stock", json=body)
    assert response.status_code == status, response.json
    assert field in [e["field"] for e in response.json["errors"]]
    assert staff.get(f"/products/{pid}").json["stock"] == 10
    assert len(staff.get(f"/products/{pid}/stock").json) == 1
    ledger_agrees()


def test_adjusting_an_unknown_product_is_404(staff):
    assert staff.post("/products/424242/stock",
                      json={"change": 1, "reason": "x"}).status_code == 404
    assert staff.get("/products/424242/stock").status_code == 404


def test_categories_crud_with_slugs_and_409_in_use(client, staff, kitchen):
    assert client.get("/categories").json == [kitchen]
    assert staff.post("/categories", json={"name": "Café Things"}).json["slug"] == "cafe-things"
    assert staff.post("/categories", json={"name": "pots & pans"}).status_code == 409
    assert staff.post("/categories", json={"name": "!!!"}).status_code == 400
    assert staff.post("/categories", json={"name": "a\x01"}).status_code == 400
    renamed = staff.patch(f"/categories/{kitchen['id']}", json={"name": "Cookware"})
    assert renamed.json == {"id": kitchen["id"], "name": "Cookware", "slug": "cookware"}
    new_product(staff, categoryId=kitchen["id"])
    in_use = staff.delete(f"/categories/{kitchen['id']}")
    assert in_use.status_code == 409 and in_use.mimetype == "application/problem+json"
    empty = staff.post("/categories", json={"name": "Empty"}).json
    assert staff.delete(f"/categories/{empty['id']}").status_code == 204
    assert client.get(f"/categories/{empty['id']}").status_code == 404


@pytest.fixture
def shelf(staff):
    kitchen = staff.post("/categories", json={"name": "Kitchen"}).json
    table = staff.post("/categories", json={"name": "Table"}).json
    rows = [("Cast Iron Skillet", 4500, "SK-1", "Heavy cast iron pan.", kitchen),
            ("Enamel Cast Iron Pot", 8900, "POT-7", "Cast iron with an enamel coat.", kitchen),
            ("Ceramic Mug", 1400, "MUG-3", "Stoneware mug.", table),
            ("Linen Napkins", 2200, "NAP-1", "Four napkins.", table)]
    return {name: new_product(staff, name=name, priceInCents=price, sku=sku,
                              description=text, categoryId=cat["id"])["id"]
            for name, price, sku, text, cat in rows}


def names(response):
    assert response.status_code == 200, response.json
    return [p["name"] for p in response.json]


def test_search_filter_sort_and_page(client, shelf):
    assert names(client.get("/products?q=cast iron")) == ["Cast Iron Skillet",
                                                          "Enamel Cast Iron Pot"]
    assert names(client.get("/products?q=MUG")) == ["Ceramic Mug"]
    assert names(client.get("/products?q=pot-")) == ["Enamel Cast Iron Pot"]  # sku prefix
    assert names(client.get("/products?q=stoneware")) == ["Ceramic Mug"]
    assert names(client.get("/products?q=100%25")) == []
    assert names(client.get("/products?category=table")) == ["Ceramic Mug", "Linen Napkins"]
    assert names(client.get("/products?category=nothing")) == []
    assert names(client.get("/products?sort=-price"))[0] == "Enamel Cast Iron Pot"
    assert names(client.get("/products?sort=price"))[0] == "Ceramic Mug"
    assert names(client.get("/products?sort=newest"))[0] == "Linen Napkins"

    first = client.get("/products?limit=3")
    assert len(first.json) == 3 and first.headers["X-Total-Count"] == "4"
    assert first.headers["Link"] == '</products?limit=3&offset=3>; rel="next"'
    last = client.get("/products?limit=3&offset=3")
    assert len(last.json) == 1 and "Link" not in last.headers
    assert client.get("/products").headers["X-Total-Count"] == "4"


@pytest.mark.postgres
def test_websearch_syntax_on_postgresql(app, client, shelf):
    from tests.helpers import TEST_DATABASE_URL, need

    need(bool(TEST_DATABASE_URL), "full-text search needs PostgreSQL")
    assert names(client.get('/products?q="cast iron" -enamel')) == ["Cast Iron Skillet"]
    assert names(client.get("/products?q=skillets")) == ["Cast Iron Skillet"]  # stemmed


@pytest.mark.parametrize("query,field", [
    ("limit=0", "limit"), ("limit=101", "limit"), ("limit=²", "limit"), ("limit=-1", "limit"),
    ("offset=٣", "offset"), ("offset=99999999999", "offset"), ("sort=cheapest", "sort"),
    ("q=%00", "q"), ("q=a%1Fb", "q"), ("active=maybe", "active"),
])
def test_bad_queries_are_400_naming_the_parameter(client, query, field):
    response = client.get(f"/products?{query}")
    assert response.status_code == 400, response.json
    assert field in [e["field"] for e in response.json["errors"]]


@pytest.mark.parametrize("query,field", [
    ("limit=0", "limit"), ("limit=101", "limit"), ("limit=²", "limit"), ("offset=-1", "offset"),
    ("offset=99999999999", "offset"),
])
def test_bad_ledger_queries_are_400_naming_the_parameter(staff, query, field):
    pid = new_product(staff)["id"]
    response = staff.get(f"/products/{pid}/stock?{query}")
    assert response.status_code == 400, response.json
    assert [e["field"] for e in response.json["errors"]] == [field]
    assert response.json["detail"].startswith("The query is not valid.")


def test_a_browser_session_needs_the_csrf_token(app, client, make_user):
    make_user("boss@example.com", staff=True)
    log_in(client, "boss@example.com")
    refused = client.post("/products", json={"name": "X", "priceInCents": 1})
    assert refused.status_code == 400
    from tests.helpers import csrf_token_from

    accepted = client.post("/products", json={"name": "X", "priceInCents": 1},
                           headers={"X-CSRFToken": csrf_token_from(client)})
    assert accepted.status_code == 201


def test_seed_demo_files_products_under_categories_with_their_ledger(runner, client,
                                                                     ledger_agrees):
    for _ in range(2):
        assert runner.invoke(args=["shop", "seed-demo"]).exit_code == 0
    categories = client.get("/categories").json
    assert len(categories) == 3
    products = client.get("/products").json
    assert len(products) == 12 and all(p["category"] for p in products)
    assert all(p["imageUrl"].endswith(".svg") for p in products)
    ledger_agrees()


@pytest.mark.postgres
def test_postgresql_search_uses_its_indexes(app):
    from sqlalchemy import select, text

    from shop.catalog import services
    from shop.catalog.models import Product
    from shop.extensions import db
    from tests.helpers import TEST_DATABASE_URL, need

    need(bool(TEST_DATABASE_URL), "full-text search needs PostgreSQL")
    with app.app_context():
        db.session.execute(text("SET LOCAL enable_seqscan = off"))
        query = select(Product.id).where(services.search_condition('"cast iron" -enamel'))
        sql = str(query.compile(db.engine, compile_kwargs={"literal_binds": True}))
        plan = "\n".join(db.session.execute(text("EXPLAIN " + sql)).scalars())
        db.session.rollback()
    assert "ix_products_search" in plan and "ix_products_sku_prefix" in plan, plan
