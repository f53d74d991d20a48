"""/openapi.json describes every JSON endpoint, and real responses match it."""

import pytest

from tests.openapi_check import SpecChecker


@pytest.fixture
def spec(client):
    response = client.get("/openapi.json")
    assert response.status_code == 200
    assert response.json["openapi"].startswith("3.1")
    return SpecChecker(response.json)


def test_order_and_product_responses_match_the_spec(spec, client, shopper, staff, api_as,
                                                    make_product):
    pid = make_product(stock=5)
    spec.check(client.get("/products"), "GET", "/products")
    spec.check(client.get(f"/products/{pid}"), "GET", "/products/{id}")
    spec.check(client.get("/products/999"), "GET", "/products/{id}")
    spec.check(client.get("/orders/demo-cart"), "GET", "/orders/demo-cart")
    spec.check(client.get("/orders"), "GET", "/orders")

    new = shopper.post("/orders/new", json=[str(pid)])
    spec.check(new, "POST", "/orders/new")
    for bad in (["text"], [999], [{"id": pid, "quantity": 50}]):
        spec.check(shopper.post("/orders/new", json=bad), "POST", "/orders/new")
    spec.check(shopper.post("/orders/new", data="x", content_type="text/plain"),
               "POST", "/orders/new")

    oid = new.json["id"]
    spec.check(shopper.get("/orders?limit=1"), "GET", "/orders")
    spec.check(shopper.get("/orders?limit=0"), "GET", "/orders")
    spec.check(shopper.get("/orders?scope=all"), "GET", "/orders")
    spec.check(shopper.get(f"/orders/{oid}"), "GET", "/orders/{id}")
    spec.check(api_as("other@example.com").get(f"/orders/{oid}"), "GET", "/orders/{id}")

    def status(who, value):
        return who.post("/orders/status-update", json={"orderId": oid, "status": value})

    spec.check(status(shopper, "shipped"), "POST", "/orders/status-update")
    spec.check(status(shopper, "nope"), "POST", "/orders/status-update")
    spec.check(status(staff, "paid"), "POST", "/orders/status-update")
    spec.check(status(shopper, "shipped"), "POST", "/orders/status-update")
