"""`flask shop expire-orders`: stale pending orders are cancelled once, through the table."""


import pytest

from shop.extensions import db
from shop.payments.models import OfflinePaymentIntent


def test_stale_pending_orders_are_cancelled_once(app, runner, shopper, staff, make_product,
                                                 age):
    pid = make_product(price=500, stock=10)
    stale = shopper.post("/orders/new", json=[str(pid), str(pid)]).json
    fresh = shopper.post("/orders/new", json=[str(pid)]).json
    paid = shopper.post("/orders/new", json=[str(pid)]).json
    assert staff.post("/orders/status-update",
                      json={"orderId": paid["id"], "status": "paid"}).status_code == 200
    age(stale["id"], 25)
    age(paid["id"], 48)
    age(fresh["id"], 23)
    assert shopper.client.get(f"/products/{pid}").json["stock"] == 6

    result = runner.invoke(args=["shop", "expire-orders", "--older-than", "24h"])
    assert result.exit_code == 0, result.output
    assert f"Order {stale['id']}: cancelled" in result.output
    assert "Expired 1 order pending longer than 1 day" in result.output
    statuses = {o["id"]: o["status"] for o in shopper.get("/orders").json}
    assert statuses == {stale["id"]: "cancelled", fresh["id"]: "pending", paid["id"]: "paid"}
    assert shopper.client.get(f"/products/{pid}").json["stock"] == 8
    with app.app_context():
        intent = db.session.get(OfflinePaymentIntent, stale["clientSecret"].split("_secret_")[0])
        assert intent.status == "canceled"

    again = runner.invoke(args=["shop", "expire-orders", "--older-than", "24h"])
    assert again.exit_code == 0, again.output
    assert "Expired 0 orders" in again.output
    assert "Order " not in again.output
    assert shopper.client.get(f"/products/{pid}").json["stock"] == 8


@pytest.mark.parametrize(("spelling", "hours", "spelled"),
                         [("30m", 0.5, "30 minutes"), ("2d", 48, "2 days"),
                          ("12H", 12, "12 hours"), ("90m", 1.5, "90 minutes")])
def test_durations_in_minutes_hours_and_days(runner, shopper, make_product, age,
                                             spelling, hours, spelled):
    pid = make_product(price=500, stock=10)
    just_inside = shopper.post("/orders/new", json=[str(pid)]).json
    just_outside = shopper.post("/orders/new", json=[str(pid)]).json
    age(just_inside["id"], hours * 0.9)
    age(just_outside["id"], hours * 1.1)
    result = runner.invoke(args=["shop", "expire-orders", "--older-than", spelling])
    assert result.exit_code == 0, result.output
    assert f"Expired 1 order pending longer than {spelled}." in result.output
    statuses = {o["id"]: o["status"] for o in shopper.get("/orders").json}
    assert statuses == {just_inside["id"]: "pending", just_outside["id"]: "cancelled"}


@pytest.mark.parametrize("spelling", ["0h", "24", "h", "-2d", "1.5h", "3w", "soon"])
def test_a_duration_it_cannot_read_is_a_usage_error(runner, shopper, make_product, age,
                                                    spelling):
    pid = make_product(price=500, stock=10)
    order = shopper.post("/orders/new", json=[str(pid)]).json
    age(order["id"], 24 * 30)
    result = runner.invoke(args=["shop", "expire-orders", "--older-than", spelling])
    assert result.exit_code == 2
    assert "is not a duration such as 30m, 24h or 2d" in result.output
    assert shopper.get(f"/orders/{order['id']}").json["status"] == "pending"


def test_the_default_is_a_day(runner, shopper, make_product, age):
    pid = make_product(price=500, stock=10)
    old = shopper.post("/orders/new", json=[str(pid)]).json
    recent = shopper.post("/orders/new", json=[str(pid)]).json
    age(old["id"], 24.5)
    age(recent["id"], 23.5)
    assert runner.invoke(args=["shop", "expire-orders"]).exit_code == 0
    statuses = {o["id"]: o["status"] for o in shopper.get("/orders").json}
    assert statuses == {old["id"]: "cancelled", recent["id"]: "pending"}
