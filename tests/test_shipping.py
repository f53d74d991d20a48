"""Shipping methods (GET/POST/PATCH /shipping-methods, /staff/shipping) and orders that ship."""

import pytest

from tests.helpers import csrf_token_from, log_in
from tests.openapi_check import SpecChecker

ADDRESS = {"name": "Rosa Diaz", "line1": "1 Main St", "city": "Springfield",
           "postalCode": "12345", "country": "US"}


def methods_by_name(client) -> dict:
    return {m["name"]: m for m in client.get("/shipping-methods").json}


def test_a_fresh_shop_offers_standard_shipping_and_free_pickup(client):
    methods = methods_by_name(client)
    assert set(methods) == {"Standard shipping", "Pickup"}
    assert methods["Standard shipping"]["requiresAddress"] is True
    assert methods["Pickup"] == {"id": methods["Pickup"]["id"], "name": "Pickup",
                                 "priceInCents": 0, "requiresAddress": False, "countries": [],
                                 "active": True}


def test_staff_add_and_change_methods_customers_cannot(staff, shopper, client):
    created = staff.post("/shipping-methods", json={"name": "Express", "priceInCents": 1500,
                                                    "countries": ["us", "CA"]})
    assert created.status_code == 201, created.json
    assert created.json["countries"] == ["CA", "US"] and created.json["requiresAddress"] is True
    mid = created.json["id"]
    assert shopper.post("/shipping-methods", json={"name": "X", "priceInCents": 1}
                        ).status_code == 403
    assert client.post("/shipping-methods", json={"name": "X", "priceInCents": 1}
                       ).status_code == 401
    assert shopper.patch(f"/shipping-methods/{mid}", json={"active": False}).status_code == 403

    changed = staff.patch(f"/shipping-methods/{mid}", json={"priceInCents": 1800,
                                                            "active": False})
    assert changed.status_code == 200 and changed.json["priceInCents"] == 1800
    assert "Express" not in methods_by_name(client)  # inactive ones are not listed
    assert staff.patch("/shipping-methods/999", json={"active": True}).status_code == 404


@pytest.mark.parametrize("body, field", [
    ({"priceInCents": 100}, "name"),
    ({"name": "X", "priceInCents": -1}, "priceInCents"),
    ({"name": "X", "priceInCents": True}, "priceInCents"),
    ({"name": "X", "priceInCents": "100"}, "priceInCents"),
    ({"name": "X", "priceInCents": 2**31}, "priceInCents"),
    ({"name": "X\u0000", "priceInCents": 1}, "name"),
    ({"name": "\ud800", "priceInCents": 1}, "name"),
    ({"name": "X", "priceInCents": 1, "countries": ["ZZ"]}, "countries[0]"),
    ({"name": "X", "priceInCents": 1, "requiresAddress": "yes"}, "requiresAddress"),
])
def test_bad_methods_are_400_naming_the_field(staff, body, field):
    response = staff.post("/shipping-methods", json=body)
    assert response.status_code == 400, response.json
    assert response.mimetype == "application/problem+json"
    assert field in [e["field"] for e in response.json["errors"]]


def test_patch_refuses_null_and_bad_fields(staff, client):
    mid = methods_by_name(client)["Pickup"]["id"]
    assert staff.patch(f"/shipping-methods/{mid}", json={"name": None}).status_code == 400
    assert staff.patch(f"/shipping-methods/{mid}", json=[1]).status_code == 400
    assert methods_by_name(client)["Pickup"]["name"] == "Pickup"


def test_the_seed_array_body_ships_by_pickup(shopper, make_product):
    pid = make_product(price=1000)
    order = shopper.post("/orders/new", json=[str(pid), str(pid)])
    assert order.status_code == 201
    assert order.json["amountInCents"] == 2000
    shipping = order.json["shipping"]
    assert shipping["name"] == "Pickup" and shipping["priceInCents"] == 0
    assert shipping["address"] is None and shipping["tracking"] is None


def test_the_array_body_is_422_when_every_method_needs_an_address(shopper, staff, client,
                                                                   make_product):
    pid = make_product()
    pickup = methods_by_name(client)["Pickup"]["id"]
    staff.patch(f"/shipping-methods/{pickup}", json={"active": False})
    response = shopper.post("/orders/new", json=[pid])
    assert response.status_code == 422
    assert shopper.get("/orders").json == []


def test_an_order_ships_to_the_address_given_and_pays_for_shipping(shopper, client,
                                                                   make_product):
    pid = make_product(price=1000)
    standard = methods_by_name(client)["Standard shipping"]
    address = {**ADDRESS, "line2": "Apt 4", "phone": "+1 555 0100"}
    response = shopper.post("/orders/new", json={
        "products": [{"id": pid, "quantity": 3}], "shippingMethodId": standard["id"],
        "shippingAddress": address})
    assert response.status_code == 201, response.json
    order = response.json
    assert order["amountInCents"] == 3000 + standard["priceInCents"]
    assert order["shipping"] == {"methodId": standard["id"], "name": "Standard shipping",
                                 "priceInCents": standard["priceInCents"], "address": address,
                                 "tracking": None}
    assert shopper.get(f"/orders/{order['id']}").json["shipping"]["address"] == address


def test_a_price_change_leaves_placed_orders_alone(shopper, staff, client, make_product):
    pid = make_product(price=1000)
    standard = methods_by_name(client)["Standard shipping"]
    order = shopper.post("/orders/new", json={"products": [pid],
                                              "shippingMethodId": str(standard["id"]),
                                              "shippingAddress": ADDRESS}).json
    staff.patch(f"/shipping-methods/{standard['id']}", json={"priceInCents": 9900,
                                                             "name": "Slow"})
    again = shopper.get(f"/orders/{order['id']}").json
    assert again["shipping"]["priceInCents"] == standard["priceInCents"]
    assert again["shipping"]["name"] == "Standard shipping"
    assert again["amountInCents"] == 1000 + standard["priceInCents"]


def test_a_missing_address_is_400_naming_each_missing_field(shopper, client, make_product):
    pid = make_product()
    standard = methods_by_name(client)["Standard shipping"]["id"]
    none = shopper.post("/orders/new", json={"products": [pid], "shippingMethodId": standard})
    assert none.status_code == 400
    assert {e["field"] for e in none.json["errors"]} == {
        "shippingAddress.name", "shippingAddress.line1", "shippingAddress.city",
        "shippingAddress.postalCode", "shippingAddress.country"}
    partial = shopper.post("/orders/new", json={
        "products": [pid], "shippingMethodId": standard,
        "shippingAddress": {"name": "Rosa", "line1": "1 Main St", "city": "  "}})
    assert partial.status_code == 400
    assert {e["field"] for e in partial.json["errors"]} == {
        "shippingAddress.city", "shippingAddress.postalCode", "shippingAddress.country"}
    assert "shippingAddress.postalCode" in partial.json["detail"]
    assert shopper.get("/orders").json == []


def test_blank_optional_parts_of_an_address_are_left_out(shopper, client, make_product):
    """A form's empty line2, state or phone is no part at all; the other parts are tidied."""
    pid = make_product()
    standard = methods_by_name(client)["Standard shipping"]["id"]
    response = shopper.post("/orders/new", json={
        "products": [pid], "shippingMethodId": standard,
        "shippingAddress": {**ADDRESS, "line2": "", "state": "   ", "phone": None,
                            "line1": "  1   Main St "}})
    assert response.status_code == 201, response.json
    shown = response.json["shipping"]["address"]
    assert "line2" not in shown and "state" not in shown and "phone" not in shown
    assert shown["line1"] == "1 Main St"


@pytest.mark.parametrize("change", [
    {"country": "XX"}, {"name": "Rosa\r\nBcc: x@example.com"}, {"city": "\ud800"},
    {"postalCode": 12345}, {"line1": "x" * 201},
])
def test_a_bad_address_is_400(shopper, client, make_product, change):
    pid = make_product()
    standard = methods_by_name(client)["Standard shipping"]["id"]
    response = shopper.post("/orders/new", json={
        "products": [pid], "shippingMethodId": standard,
        "shippingAddress": {**ADDRESS, **change}})
    assert response.status_code == 400, response.json
    assert [e["field"] for e in response.json["errors"]] == [
        "shippingAddress." + next(iter(change))]


def test_unknown_inactive_and_unserved_are_422(shopper, staff, client, make_product):
    pid = make_product()
    body = {"products": [pid], "shippingAddress": ADDRESS}
    assert shopper.post("/orders/new", json={**body, "shippingMethodId": 999}
                        ).status_code == 422
    assert shopper.post("/orders/new", json={**body, "shippingMethodId": 2**40}
                        ).status_code == 400
    local = staff.post("/shipping-methods", json={"name": "Local", "priceInCents": 300,
                                                  "countries": ["DE", "AT"]}).json
    unserved = shopper.post("/orders/new", json={**body, "shippingMethodId": local["id"]})
    assert unserved.status_code == 422
    assert unserved.json["errors"][0]["field"] == "shippingAddress.country"
    served = shopper.post("/orders/new", json={**body, "shippingMethodId": local["id"],
                                               "shippingAddress": {**ADDRESS, "country": "de"}})
    assert served.status_code == 201 and served.json["shipping"]["address"]["country"] == "DE"
    staff.patch(f"/shipping-methods/{local['id']}", json={"active": False})
    inactive = shopper.post("/orders/new", json={**body, "shippingMethodId": local["id"],
                                                 "shippingAddress": {**ADDRESS,
                                                                     "country": "DE"}})
    assert inactive.status_code == 422
    assert len(shopper.get("/orders").json) == 1


def test_object_body_needs_products_and_a_method(shopper, make_product):
    pid = make_product()
    assert shopper.post("/orders/new", json={"shippingMethodId": 1}).status_code == 400
    response = shopper.post("/orders/new", json={"products": [pid]})
    assert response.status_code == 400
    assert response.json["errors"] == [{"field": "shippingMethodId", "message": "Required."}]
    assert shopper.post("/orders/new", json={"products": [], "shippingMethodId": 1}
                        ).status_code == 400


def test_an_idempotent_retry_with_another_address_is_a_conflict(shopper, client, make_product):
    pid = make_product()
    standard = methods_by_name(client)["Standard shipping"]["id"]
    body = {"products": [pid], "shippingMethodId": standard, "shippingAddress": ADDRESS}
    headers = {"Idempotency-Key": "k1"}
    first = shopper.post("/orders/new", json=body, headers=headers)
    again = shopper.post("/orders/new", json=body, headers=headers)
    assert again.status_code == 201 and again.json["id"] == first.json["id"]
    other = shopper.post("/orders/new", json={**body, "shippingAddress": {**ADDRESS,
                                                                          "city": "Shelbyville"}},
                         headers=headers)
    assert other.status_code == 409


def test_tracking_is_stored_when_shipped_and_refused_otherwise(shopper, staff, client,
                                                               make_product):
    pid = make_product()
    standard = methods_by_name(client)["Standard shipping"]["id"]
    oid = shopper.post("/orders/new", json={"products": [pid], "shippingMethodId": standard,
                                            "shippingAddress": ADDRESS}).json["id"]
    tracking = {"carrier": "UPS", "number": "1Z999", "url": "https://ups.example/1Z999"}
    paid = staff.post("/orders/status-update", json={"orderId": oid, "status": "paid",
                                                     "tracking": tracking})
    assert paid.status_code == 400 and paid.json["errors"][0]["field"] == "tracking"
    assert shopper.get(f"/orders/{oid}").json["status"] == "pending"
    assert staff.post("/orders/status-update", json={"orderId": oid, "status": "paid"}
                      ).status_code == 200
    bad = staff.post("/orders/status-update", json={
        "orderId": oid, "status": "shipped", "tracking": {**tracking, "url": "javascript:x"}})
    assert bad.status_code == 400 and bad.json["errors"][0]["field"] == "tracking.url"
    missing = staff.post("/orders/status-update", json={
        "orderId": oid, "status": "shipped", "tracking": {"carrier": "UPS"}})
    assert missing.status_code == 400
    assert missing.json["errors"] == [{"field": "tracking.number", "message": "Required."}]
    shipped = staff.post("/orders/status-update", json={"orderId": oid, "status": "shipped",
                                                        "tracking": tracking})
    assert shipped.status_code == 200 and shipped.json == {"id": oid, "status": "shipped"}
    assert shopper.get(f"/orders/{oid}").json["shipping"]["tracking"] == tracking
    page = shopper.client.get(f"/account/orders/{oid}")  # bearer has no session: log in below
    assert page.status_code == 302


def test_the_shopper_sees_address_and_tracking_on_the_order_page(app, client, make_user,
                                                                 make_product, staff):
    make_user("rosa@example.com")
    log_in(client, "rosa@example.com")
    pid = make_product(name="Mug")
    standard = methods_by_name(client)["Standard shipping"]["id"]
    token = csrf_token_from(client)
    oid = client.post("/orders/new", json={"products": [pid], "shippingMethodId": standard,
                                           "shippingAddress": ADDRESS},
                      headers={"X-CSRFToken": token}).json["id"]
    staff.post("/orders/status-update", json={"orderId": oid, "status": "paid"})
    staff.post("/orders/status-update", json={
        "orderId": oid, "status": "shipped",
        "tracking": {"carrier": "UPS", "number": "1Z999", "url": "https://ups.example/t"}})
    page = client.get(f"/account/orders/{oid}").get_data(as_text=True)
    assert "Rosa Diaz" in page and "Springfield" in page and "Standard shipping" in page
    assert "1Z999" in page and 'href="https://ups.example/t"' in page
    staff_page = staff.client.get(f"/staff/orders/{oid}")
    assert staff_page.status_code == 302  # bearer tokens do not open pages


def test_the_staff_shipping_page_adds_and_edits_methods(client, make_user):
    make_user("boss@example.com", staff=True)
    log_in(client, "boss@example.com")
    page = client.get("/staff/shipping").get_data(as_text=True)
    assert "Standard shipping" in page and "Pickup" in page
    assert 'href="/staff/shipping" aria-current="page">Shipping<' in page
    token = csrf_token_from(client)
    added = client.post("/staff/shipping", data={
        "csrf_token": token, "name": "Courier", "price": "12.5", "countries": "GB, IE",
        "requires_address": "on", "active": "on"})
    assert added.status_code == 302
    courier = methods_by_name(client)["Courier"]
    assert courier["priceInCents"] == 1250 and courier["countries"] == ["GB", "IE"]
    client.post(f"/staff/shipping/{courier['id']}", data={
        "csrf_token": token, "name": "Courier", "price": "13", "countries": "",
        "requires_address": "on"})
    assert "Courier" not in methods_by_name(client)  # unticked: no longer on offer
    bad = client.post("/staff/shipping", data={"csrf_token": token, "name": "X",
                                               "price": "1.2.3"}, follow_redirects=True)
    assert "Enter the price as a number" in bad.get_data(as_text=True)


def test_customers_do_not_see_the_staff_shipping_page(client, make_user):
    make_user("rosa@example.com")
    log_in(client, "rosa@example.com")
    assert client.get("/staff/shipping").status_code == 403


def test_shipping_responses_match_the_spec(client, staff, shopper, make_product):
    spec = SpecChecker(client.get("/openapi.json").json)
    spec.check(client.get("/shipping-methods"), "GET", "/shipping-methods")
    created = staff.post("/shipping-methods", json={"name": "X", "priceInCents": 1})
    spec.check(created, "POST", "/shipping-methods")
    spec.check(staff.post("/shipping-methods", json={}), "POST", "/shipping-methods")
    spec.check(shopper.post("/shipping-methods", json={}), "POST", "/shipping-methods")
    spec.check(staff.patch(f"/shipping-methods/{created.json['id']}", json={"name": "Y"}),
               "PATCH", "/shipping-methods/{id}")
    pid = make_product()
    order = shopper.post("/orders/new", json={"products": [pid],
                                              "shippingMethodId": created.json["id"],
                                              "shippingAddress": ADDRESS})
    spec.check(order, "POST", "/orders/new")
    spec.check(shopper.get(f"/orders/{order.json['id']}"), "GET", "/orders/{id}")


def test_a_stripe_intent_carries_the_shipping_name_and_address():
    from shop.payments.stripe_gateway import intent_params

    address = {**ADDRESS, "line2": "Apt 4", "phone": "+1 555 0100"}
    params = intent_params(order_id=7, amount=1500, currency="usd", shipping=address)
    assert params["shipping"] == {
        "name": "Rosa Diaz", "phone": "+1 555 0100",
        "address": {"line1": "1 Main St", "line2": "Apt 4", "city": "Springfield",
                    "postal_code": "12345", "country": "US"}}
    assert params["metadata"] == {"order_id": "7", "shipping_name": "Rosa Diaz",
                                  "shipping_address": "1 Main St, Apt 4, 12345, Springfield, US"}
    # A Stripe-compatible host that refuses `shipping` still gets the metadata copy.
    bare = intent_params(order_id=7, amount=1500, currency="usd", shipping=address,
                         shipping_field=False)
    assert "shipping" not in bare and bare["metadata"]["shipping_name"] == "Rosa Diaz"
    assert intent_params(order_id=7, amount=1, currency="usd", shipping=None) == {
        "amount": 1, "currency": "usd", "metadata": {"order_id": "7"}}
