def test_catalog_and_order_roundtrip(shopper, make_product):
    pid = make_product(price=1250, stock=3)
    r = shopper.post("/orders/new", json=[str(pid), str(pid)])
    assert r.status_code == 201, r.json
    assert r.json["amountInCents"] == 2500
    assert shopper.get("/orders").json[0]["id"] == r.json["id"]
    assert shopper.client.get(f"/products/{pid}").json["stock"] == 1
