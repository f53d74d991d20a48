"""GET /products and GET /products/{id}."""


def test_products_lists_only_what_is_for_sale(client, make_product):
    mug = make_product("Mug", price=1400, stock=12, description="Stoneware.")
    make_product("Retired", active=False)
    response = client.get("/products", headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.mimetype == "application/json"
    [only] = response.json
    # The seed's fields keep their meaning; the catalog's own fields come after them.
    assert {k: only[k] for k in ("id", "name", "description", "priceInCents", "stock",
                                 "imageUrl")} == {
        "id": mug, "name": "Mug", "description": "Stoneware.", "priceInCents": 1400,
        "stock": 12, "imageUrl": None}
    assert only["sku"] is None and only["category"] is None and only["active"] is True
    assert only["createdAt"].endswith("Z")


def test_one_product_or_404(client, make_product):
    mug = make_product("Mug")
    hidden = make_product("Retired", active=False)
    assert client.get(f"/products/{mug}").json["name"] == "Mug"
    for missing in (hidden, 424242):
        response = client.get(f"/products/{missing}")
        assert response.status_code == 404
        assert response.mimetype == "application/problem+json"
