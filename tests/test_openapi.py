"""/openapi.json describes every JSON endpoint, and real responses match it."""

import pytest

from tests.openapi_check import SpecChecker, spec_paths_of


@pytest.fixture
def spec(client):
    response = client.get("/openapi.json")
    assert response.status_code == 200
    assert response.json["openapi"].startswith("3.1")
    return SpecChecker(response.json)


def test_every_json_route_is_described_and_nothing_more(app, spec):
    described = {(method.upper(), path) for path, ops in spec.spec["paths"].items()
                 for method in ops}
    assert described == spec_paths_of(app)


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


def test_lead_responses_match_the_spec(spec, staff, shopper):
    created = staff.post("/leads/statuses", json={"name": "New"})
    spec.check(created, "POST", "/leads/statuses")
    sid = created.json["id"]
    spec.check(staff.post("/leads/statuses", json={}), "POST", "/leads/statuses")
    spec.check(staff.get("/leads/statuses"), "GET", "/leads/statuses")
    spec.check(shopper.get("/leads/statuses"), "GET", "/leads/statuses")
    spec.check(staff.get(f"/leads/statuses/{sid}"), "GET", "/leads/statuses/{id}")
    spec.check(staff.put("/leads/statuses/order", json={"id": sid, "statusOrder": 1}),
               "PUT", "/leads/statuses/order")
    spec.check(staff.put("/leads/statuses/order", json=[{"id": 999, "statusOrder": 1}]),
               "PUT", "/leads/statuses/order")
    spec.check(staff.put("/leads/statuses/order", json=[{"id": sid, "statusOrder": -1}]),
               "PUT", "/leads/statuses/order")
    spec.check(staff.patch(f"/leads/statuses/{sid}", json={"name": "Fresh"}),
               "PATCH", "/leads/statuses/{id}")
    lead = staff.post("/leads", json={"name": "Ada", "email": "ada@example.com",
                                      "company": "Northwind", "valueInCents": 5000,
                                      "statusId": sid})
    spec.check(lead, "POST", "/leads")
    spec.check(staff.post("/leads", json={"name": "Bo", "statusId": 999}), "POST", "/leads")
    spec.check(staff.get("/leads"), "GET", "/leads")
    spec.check(staff.get(f"/leads/{lead.json['id']}"), "GET", "/leads/{id}")
    spec.check(staff.patch(f"/leads/{lead.json['id']}", json={"position": 1}),
               "PATCH", "/leads/{id}")
    spec.check(staff.delete(f"/leads/statuses/{sid}"), "DELETE", "/leads/statuses/{id}")
    spec.check(staff.delete(f"/leads/{lead.json['id']}"), "DELETE", "/leads/{id}")
    spec.check(staff.delete(f"/leads/statuses/{sid}"), "DELETE", "/leads/statuses/{id}")


def test_catalog_responses_match_the_spec(spec, client, staff, shopper):
    category = staff.post("/categories", json={"name": "Kitchen"})
    spec.check(category, "POST", "/categories")
    spec.check(staff.post("/categories", json={"name": "kitchen"}), "POST", "/categories")
    spec.check(client.get("/categories"), "GET", "/categories")
    cid = category.json["id"]
    spec.check(client.get(f"/categories/{cid}"), "GET", "/categories/{id}")
    spec.check(staff.patch(f"/categories/{cid}", json={"name": "Cookware"}),
               "PATCH", "/categories/{id}")
    created = staff.post("/products", json={"name": "Pan", "priceInCents": 100, "stock": 2,
                                            "categoryId": cid, "sku": "PAN-1"})
    spec.check(created, "POST", "/products")
    pid = created.json["id"]
    spec.check(staff.post("/products", json={"name": "Pan", "priceInCents": 1,
                                             "sku": "PAN-1"}), "POST", "/products")
    spec.check(staff.post("/products", json={"priceInCents": -1}), "POST", "/products")
    spec.check(shopper.post("/products", json={}), "POST", "/products")
    spec.check(client.get("/products?limit=1&q=pan"), "GET", "/products")
    spec.check(client.get("/products?limit=0"), "GET", "/products")
    spec.check(client.get("/products?active=all"), "GET", "/products")
    spec.check(staff.patch(f"/products/{pid}", json={"stock": 3}), "PATCH", "/products/{id}")
    spec.check(staff.patch(f"/products/{pid}", json={"name": "Big Pan"}),
               "PATCH", "/products/{id}")
    spec.check(staff.post(f"/products/{pid}/stock", json={"change": -5, "reason": "x"}),
               "POST", "/products/{id}/stock")
    spec.check(staff.post(f"/products/{pid}/stock", json={"change": 5, "reason": "in"}),
               "POST", "/products/{id}/stock")
    spec.check(staff.get(f"/products/{pid}/stock"), "GET", "/products/{id}/stock")
    spec.check(staff.put(f"/products/{pid}/image", data=b"nope", content_type="image/png"),
               "PUT", "/products/{id}/image")
    spec.check(staff.put(f"/products/{pid}/image", data=b"nope", content_type="text/plain"),
               "PUT", "/products/{id}/image")
    csv_text = "sku,name,description,price,stock,category,active\r\nPAN-1,Pan,,1.00,4,,true\r\n"
    spec.check(staff.post("/products/import", data=csv_text.encode(), content_type="text/csv"),
               "POST", "/products/import")
    spec.check(staff.post("/products/import", data=b"x,y\r\n", content_type="text/csv"),
               "POST", "/products/import")
    exported = staff.get("/products/export.csv")
    listed = spec.spec["paths"]["/products/export.csv"]["get"]["responses"]
    assert exported.status_code == 200 and exported.mimetype in listed["200"]["content"]
    spec.check(staff.delete(f"/categories/{cid}"), "DELETE", "/categories/{id}")
    spec.check(staff.delete(f"/products/{pid}"), "DELETE", "/products/{id}")
