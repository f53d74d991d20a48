import functools

import pytest


def test_catalog_and_order_roundtrip(shopper, make_product):
    pid = make_product(price=1250, stock=3)
    r = shopper.post("/orders/new", json=[str(pid), str(pid)])
    assert r.status_code == 201, r.json
    assert r.json["amountInCents"] == 2500
    assert shopper.get("/orders").json[0]["id"] == r.json["id"]
    assert shopper.client.get(f"/products/{pid}").json["stock"] == 1


def test_the_app_takes_plain_functions_as_they_are_and_leaves_coroutines_to_flask(app):
    def plain():
        return "plain"

    async def coroutine():
        return "coroutine"

    assert app.ensure_sync(plain) is plain
    assert app.ensure_sync(functools.partial(plain))() == "plain"  # Flask decides
    with pytest.raises(RuntimeError, match="async"):  # flask[async] is not installed
        app.ensure_sync(coroutine)
