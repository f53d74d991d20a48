"""The seed's orders API, through HTTP, as scripts and pages call it."""

import pytest

from shop.extensions import db
from shop.orders.models import Order

PROBLEM = "application/problem+json"


def assert_problem(response, status: int):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.json
    assert body["status"] == status
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    assert "type" in body
    return body


def assert_order_shape(order: dict):
    assert set(order) >= {"id", "userId", "date", "products", "amountInCents", "clientSecret",
                          "status"}
    assert isinstance(order["id"], int)
    assert isinstance(order["userId"], int)
    assert order["date"].endswith("Z") and "T" in order["date"]
    assert isinstance(order["amountInCents"], int)
    assert isinstance(order["clientSecret"], str) and "_secret_" in order["clientSecret"]
    for line in order["products"]:
        assert set(line) >= {"id", "name", "quantity", "priceInCents"}
        assert isinstance(line["quantity"], int) and isinstance(line["priceInCents"], int)
    assert order["amountInCents"] == sum(p["quantity"] * p["priceInCents"]
                                         for p in order["products"])


@pytest.fixture
def products(make_product):
    return {
        "mug": make_product("Mug", price=1000, stock=10),
        "pot": make_product("Teapot", price=4250, stock=5),
    }


# --- POST /orders/new ------------------------------------------------------------------------

def test_placing_an_order_from_string_ids_counts_units(shopper, products, app):
    mug, pot = products["mug"], products["pot"]
    response = shopper.post("/orders/new", json=[str(mug), str(mug), str(pot)])
    assert response.status_code == 201
    order = response.json
    assert_order_shape(order)
    assert order["status"] == "pending"
    assert order["userId"] == shopper.user_id
    assert response.headers["Location"] == f"/orders/{order['id']}"
    lines = {p["id"]: p for p in order["products"]}
    assert lines[mug] == {"id": mug, "name": "Mug", "quantity": 2, "priceInCents": 1000}
    assert lines[pot]["quantity"] == 1
    assert order["amountInCents"] == 2 * 1000 + 4250
    # The answer is the order as stored: its payment intent attached, no dispute.
    assert order["clientSecret"] and order["dispute"] is None
    assert shopper.get(f"/orders/{order['id']}").json == order


def test_numbers_and_cart_lines_are_accepted_and_client_prices_ignored(shopper, products):
    mug, pot = products["mug"], products["pot"]
    assert shopper.post("/orders/new", json=[mug, pot]).status_code == 201
    response = shopper.post("/orders/new", json=[
        {"id": mug, "name": "Free mug", "quantity": 3, "priceInCents": 1},
        {"id": pot, "quantity": 1},
    ])
    assert response.status_code == 201
    assert response.json["amountInCents"] == 3 * 1000 + 4250
    assert {p["name"] for p in response.json["products"]} == {"Mug", "Teapot"}


def test_the_demo_cart_posts_straight_back(shopper, products, client):
    cart = client.get("/orders/demo-cart").json
    assert cart and all(set(line) == {"id", "name", "quantity", "priceInCents"} for line in cart)
    response = shopper.post("/orders/new", json=cart)
    assert response.status_code == 201
    assert sorted((p["id"], p["quantity"]) for p in response.json["products"]) == \
        sorted((line["id"], line["quantity"]) for line in cart)


def test_demo_cart_is_built_from_the_real_catalog(client, products):
    cart = client.get("/orders/demo-cart").json
    catalog = {p["id"]: p for p in client.get("/products").json}
    for line in cart:
        assert catalog[line["id"]]["name"] == line["name"]
        assert catalog[line["id"]]["priceInCents"] == line["priceInCents"]


@pytest.mark.parametrize("body", [
    ["text"],  # the seed's own example body
    [],
    {"id": 1},
    "1",
    [1.5],
    [True],
    [["1"]],
    [{"quantity": 1}],
    [{"id": "abc", "quantity": 1}],
    [{"id": 1, "quantity": 0}],
    [{"id": 1, "quantity": -2}],
    [{"id": 1, "quantity": "many"}],
    [{"id": 1, "quantity": 101}],
    ["0"],
])
def test_malformed_bodies_get_400_and_change_nothing(shopper, products, body, app):
    # Product 1 exists, so a 400 here is about the shape, not about unknown ids.
    response = shopper.post("/orders/new", json=body)
    assert_problem(response, 400)
    with app.app_context():
        assert db.session.query(Order).count() == 0


def test_a_json_null_body_is_400(shopper):
    assert_problem(shopper.post("/orders/new", data="null", content_type="application/json"), 400)


def test_more_than_100_units_of_one_product_is_refused(shopper, make_product):
    pid = make_product(stock=500)
    body = assert_problem(shopper.post("/orders/new", json=[str(pid)] * 101), 400)
    assert "100" in body["detail"]
    assert shopper.post("/orders/new", json=[str(pid)] * 100).status_code == 201


def test_invalid_json_is_400_and_non_json_is_415(shopper, products):
    assert_problem(shopper.post("/orders/new", data="[1,", content_type="application/json"), 400)
    assert_problem(shopper.post("/orders/new", data="1", content_type="text/plain"), 415)


def test_a_body_too_large_is_413(shopper, products):
    huge = "[" + ",".join(["1"] * 600_000) + "]"
    assert_problem(shopper.post("/orders/new", data=huge, content_type="application/json"), 413)


def test_unknown_and_inactive_products_are_422_naming_each(shopper, make_product, app):
    real = make_product()
    hidden = make_product("Retired", active=False)
    body = assert_problem(shopper.post("/orders/new", json=[real, 9998, hidden, 9999]), 422)
    assert body["productIds"] == sorted([9998, 9999, hidden])
    for pid in (9998, 9999, hidden):
        assert str(pid) in body["detail"]
    with app.app_context():
        assert db.session.query(Order).count() == 0


def test_prices_are_snapshots(shopper, products, app):
    mug = products["mug"]
    order = shopper.post("/orders/new", json=[mug]).json
    with app.app_context():
        from shop.catalog.models import Product

        db.session.get(Product, mug).price_in_cents = 9999
        db.session.get(Product, mug).name = "Renamed"
        db.session.commit()
    again = shopper.get(f"/orders/{order['id']}").json
    assert again["products"][0] == {"id": mug, "name": "Mug", "quantity": 1,
                                     "priceInCents": 1000}
    assert again["amountInCents"] == 1000


# --- stock -----------------------------------------------------------------------------------

def test_ordering_takes_stock_and_more_than_is_left_is_409(shopper, client, make_product, app):
    pid = make_product(stock=3)
    other = make_product("Other", stock=10)
    assert shopper.post("/orders/new", json=[pid, pid]).status_code == 201
    assert client.get(f"/products/{pid}").json["stock"] == 1
    body = assert_problem(shopper.post("/orders/new", json=[other, pid, pid]), 409)
    assert body["productIds"] == [pid]
    # Nothing reserved: neither the short product nor the one that had enough.
    assert client.get(f"/products/{pid}").json["stock"] == 1
    assert client.get(f"/products/{other}").json["stock"] == 10
    with app.app_context():
        assert db.session.query(Order).count() == 1


def test_cancelling_a_pending_order_puts_stock_back(shopper, client, make_product):
    pid = make_product(stock=4)
    order = shopper.post("/orders/new", json=[{"id": pid, "quantity": 3}]).json
    assert client.get(f"/products/{pid}").json["stock"] == 1
    response = shopper.post("/orders/status-update", json={"orderId": order["id"],
                                                           "status": "cancelled"})
    assert response.status_code == 200
    assert response.json == {"id": order["id"], "status": "cancelled"}
    assert client.get(f"/products/{pid}").json["stock"] == 4


# --- Idempotency-Key -------------------------------------------------------------------------

def test_idempotency_key_returns_the_first_order(shopper, make_product, client, app):
    pid = make_product(stock=10)
    headers = {"Idempotency-Key": "checkout-42"}
    first = shopper.post("/orders/new", json=[pid, pid], headers=headers)
    second = shopper.post("/orders/new", json=[pid, pid], headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json == second.json
    assert second.headers["Idempotent-Replayed"] == "true"
    assert client.get(f"/products/{pid}").json["stock"] == 8
    with app.app_context():
        assert db.session.query(Order).count() == 1


def test_idempotency_keys_are_per_user(api_as, make_product, app):
    pid = make_product(stock=10)
    ann, bob = api_as("ann@example.com"), api_as("bob@example.com")
    headers = {"Idempotency-Key": "same-key"}
    a = shopper_order = ann.post("/orders/new", json=[pid], headers=headers).json
    b = bob.post("/orders/new", json=[pid], headers=headers).json
    assert a["id"] != b["id"] and shopper_order["userId"] == ann.user_id


def test_idempotency_key_reused_for_another_cart_is_409(shopper, make_product):
    pid = make_product(stock=10)
    headers = {"Idempotency-Key": "k1"}
    assert shopper.post("/orders/new", json=[pid], headers=headers).status_code == 201
    assert_problem(shopper.post("/orders/new", json=[pid, pid], headers=headers), 409)


# --- GET /orders and GET /orders/{id} ---------------------------------------------------------

def test_list_is_the_callers_orders_newest_first(api_as, make_product):
    pid = make_product(stock=50)
    ann, bob = api_as("ann@example.com"), api_as("bob@example.com")
    ids = [ann.post("/orders/new", json=[pid]).json["id"] for _ in range(3)]
    bob.post("/orders/new", json=[pid])
    listed = ann.get("/orders")
    assert listed.status_code == 200
    assert [o["id"] for o in listed.json] == ids[::-1]
    for order in listed.json:
        assert_order_shape(order)
    assert "Link" not in listed.headers


def test_list_filters_by_status_case_insensitively(shopper, make_product):
    pid = make_product(stock=50)
    a = shopper.post("/orders/new", json=[pid]).json["id"]
    b = shopper.post("/orders/new", json=[pid]).json["id"]
    shopper.post("/orders/status-update", json={"orderId": a, "status": "Cancelled"})
    assert [o["id"] for o in shopper.get("/orders?status=cancelled").json] == [a]
    assert [o["id"] for o in shopper.get("/orders?status=PENDING").json] == [b]
    body = assert_problem(shopper.get("/orders?status=lost"), 400)
    assert "pending" in body["detail"]


def test_list_pages_with_limit_offset_and_a_next_link(shopper, make_product):
    pid = make_product(stock=50)
    ids = [shopper.post("/orders/new", json=[pid]).json["id"] for _ in range(5)][::-1]
    first = shopper.get("/orders?limit=2")
    assert [o["id"] for o in first.json] == ids[:2]
    link = first.headers["Link"]
    assert 'rel="next"' in link and "offset=2" in link and "limit=2" in link
    url = link[link.index("<") + 1:link.index(">")]
    second = shopper.get(url)
    assert [o["id"] for o in second.json] == ids[2:4]
    last = shopper.get("/orders?limit=2&offset=4")
    assert [o["id"] for o in last.json] == ids[4:]
    assert "Link" not in last.headers


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "limit=x", "offset=-1",
                                   "offset=a", "scope=everyone"])
def test_bad_list_arguments_are_400(shopper, query):
    assert_problem(shopper.get(f"/orders?{query}"), 400)


def test_staff_may_list_everyones_orders_customers_may_not(api_as, make_product):
    pid = make_product(stock=50)
    ann = api_as("ann@example.com")
    boss = api_as("boss@example.com", staff=True)
    ann_order = ann.post("/orders/new", json=[pid]).json["id"]
    assert boss.get("/orders").json == []
    assert [o["id"] for o in boss.get("/orders?scope=all").json] == [ann_order]
    assert_problem(ann.get("/orders?scope=all"), 403)


def test_an_order_is_visible_to_its_owner_and_staff_only(api_as, make_product):
    pid = make_product(stock=50)
    ann, bob = api_as("ann@example.com"), api_as("bob@example.com")
    boss = api_as("boss@example.com", staff=True)
    order = ann.post("/orders/new", json=[pid]).json
    assert ann.get(f"/orders/{order['id']}").json == order
    # Staff see the order, but its clientSecret is for the owner alone.
    assert boss.get(f"/orders/{order['id']}").json == {**order, "clientSecret": None}
    assert all(o["clientSecret"] is None
               for o in boss.get("/orders?scope=all").json if o["id"] == order["id"])
    body = assert_problem(bob.get(f"/orders/{order['id']}"), 404)
    missing = assert_problem(bob.get("/orders/999999"), 404)
    # A stranger's order and a missing one are indistinguishable.
    assert body["detail"].replace(str(order["id"]), "N") == \
        missing["detail"].replace("999999", "N")


# --- POST /orders/status-update ----------------------------------------------------------------

@pytest.fixture
def placed(shopper, make_product):
    pid = make_product(stock=50)
    return shopper.post("/orders/new", json=[pid]).json


def update(client, order_id, status):
    return client.post("/orders/status-update", json={"orderId": order_id, "status": status})


def test_staff_walk_an_order_through_the_table(staff, placed):
    oid = placed["id"]
    for status in ("paid", "shipped", "completed", "refunded"):
        response = update(staff, oid, status.capitalize())
        assert response.status_code == 200
        assert response.json == {"id": oid, "status": status}
    assert staff.get(f"/orders/{oid}").json["status"] == "refunded"


def test_asking_for_the_current_status_is_a_no_op(shopper, placed):
    response = update(shopper, placed["id"], "Pending")  # the seed's own example value
    assert response.status_code == 200
    assert response.json == {"id": placed["id"], "status": "pending"}


def test_the_seed_example_body_with_an_unknown_order_is_404(shopper):
    response = shopper.post("/orders/status-update", json={"orderId": 123, "status": "Pending"})
    assert_problem(response, 404)


@pytest.mark.parametrize("path", [
    ("paid", "pending"), ("pending", "shipped"), ("pending", "completed"), ("pending", "refunded"),
])
def test_forbidden_transitions_are_409_naming_from_and_to(staff, placed, path):
    start, target = path
    if start == "paid":
        update(staff, placed["id"], "paid")
    body = assert_problem(update(staff, placed["id"], target), 409)
    assert body["from"] == start and body["to"] == target


def test_final_statuses_stay_final(staff, placed):
    update(staff, placed["id"], "cancelled")
    for target in ("pending", "paid", "refunded"):
        assert_problem(update(staff, placed["id"], target), 409)


def test_a_customer_asking_for_a_staff_transition_gets_403(shopper, staff, placed):
    update(staff, placed["id"], "paid")
    for target in ("shipped", "completed", "refunded"):
        assert_problem(update(shopper, placed["id"], target), 403)
    assert shopper.get(f"/orders/{placed['id']}").json["status"] == "paid"


def test_an_owner_cannot_mark_an_unpaid_order_paid(shopper, placed):
    body = assert_problem(update(shopper, placed["id"], "paid"), 409)
    assert "not succeeded" in body["detail"]
    assert shopper.get(f"/orders/{placed['id']}").json["status"] == "pending"


def test_an_owner_asking_for_paid_after_paying_gets_paid(shopper, placed, app):
    # Pay with the offline gateway's test card, then ask: the server checks the provider.
    paid = shopper.post("/payments/test/confirm",
                        json={"clientSecret": placed["clientSecret"],
                              "cardNumber": "4242 4242 4242 4242"})
    assert paid.status_code == 200 and paid.json["status"] == "paid"
    assert update(shopper, placed["id"], "paid").json == {"id": placed["id"], "status": "paid"}


def test_nobody_else_can_touch_an_order(api_as, placed):
    stranger = api_as("stranger@example.com")
    assert_problem(update(stranger, placed["id"], "cancelled"), 404)


@pytest.mark.parametrize("body", [
    {"status": "paid"},
    {"orderId": "abc", "status": "paid"},
    {"orderId": None, "status": "paid"},
    {"orderId": True, "status": "paid"},
    [],
    "paid",
])
def test_status_update_missing_or_ill_typed_fields_are_400(shopper, placed, body):
    assert_problem(shopper.post("/orders/status-update", json=body), 400)


def test_status_update_without_status_is_400(shopper, placed):
    body = assert_problem(shopper.post("/orders/status-update", json={"orderId": placed["id"]}),
                          400)
    assert body["errors"][0]["field"] == "status"


@pytest.mark.parametrize("status", ["lost", "", 5, None, "paid!"])
def test_unknown_status_is_400_listing_the_allowed_ones(shopper, placed, status):
    body = assert_problem(shopper.post("/orders/status-update",
                                       json={"orderId": placed["id"], "status": status}), 400)
    assert body["allowed"] == ["pending", "paid", "shipped", "completed", "cancelled",
                               "refunded"]


# --- numbers past what the database can hold ------------------------------------------------

HUGE = 10**20


@pytest.mark.parametrize("path,status", [
    (f"/orders?offset={HUGE}", 400),
    (f"/orders?limit={HUGE}", 400),
    (f"/orders/{HUGE}", 404),
    (f"/products/{HUGE}", 404),
])
def test_huge_numbers_in_paths_and_queries_are_4xx(shopper, path, status):
    assert_problem(shopper.get(path), status)


@pytest.mark.parametrize("body", [[str(HUGE)], [{"id": HUGE, "quantity": 1}], [2**63]])
def test_huge_product_ids_are_unknown_products(shopper, products, body):
    assert_problem(shopper.post("/orders/new", json=body), 422)


def test_huge_order_ids_in_status_update_are_404(shopper):
    assert_problem(shopper.post("/orders/status-update", json={"orderId": HUGE,
                                                               "status": "paid"}), 404)
