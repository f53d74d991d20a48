"""expire-orders against Stripe: intents are cancelled there; a paid one is left alone."""


import pytest

from shop.payments.gateway import build_gateway
from tests.stripe.helpers import free_port

pytestmark = pytest.mark.stripe


def intent_id_of(order: dict) -> str:
    return order["clientSecret"].split("_secret_")[0]


def test_expiry_cancels_stale_intents_on_stripe_and_leaves_paid_ones(
        runner, shopper, make_product, localstripe, age):
    pid = make_product(price=650, stock=10)
    stale = shopper.post("/orders/new", json=[str(pid)]).json
    paid_at_stripe = shopper.post("/orders/new", json=[str(pid)]).json
    localstripe.pay(intent_id_of(paid_at_stripe))  # its webhook has not arrived yet
    age(stale["id"], 30)
    age(paid_at_stripe["id"], 30)

    result = runner.invoke(args=["shop", "expire-orders", "--older-than", "1d"])
    assert result.exit_code == 0, result.output
    assert f"Order {stale['id']}: cancelled" in result.output
    assert f"Order {paid_at_stripe['id']}: skipped" in result.output
    assert localstripe.intent(intent_id_of(stale)).status == "canceled"
    assert localstripe.intent(intent_id_of(paid_at_stripe)).status == "succeeded"
    statuses = {o["id"]: o["status"] for o in shopper.get("/orders").json}
    assert statuses == {stale["id"]: "cancelled", paid_at_stripe["id"]: "pending"}
    assert shopper.client.get(f"/products/{pid}").json["stock"] == 9

    again = runner.invoke(args=["shop", "expire-orders", "--older-than", "1d"])
    assert again.exit_code == 0, again.output
    assert "Expired 0 orders" in again.output
    assert f"Order {stale['id']}" not in again.output
    assert shopper.client.get(f"/products/{pid}").json["stock"] == 9


def test_expiry_when_stripe_is_down_changes_nothing_and_says_so(
        app, runner, shopper, make_product, age):
    pid = make_product(price=650, stock=10)
    stale = shopper.post("/orders/new", json=[str(pid)]).json
    age(stale["id"], 30)
    # Stripe goes away after the order was placed.
    app.extensions["shop.payment_gateway"] = build_gateway(
        {**app.config, "STRIPE_API_BASE": f"http://127.0.0.1:{free_port()}"})

    result = runner.invoke(args=["shop", "expire-orders", "--older-than", "1d"])
    assert result.exit_code == 1
    assert f"Order {stale['id']}: failed" in result.output
    assert "run the command again" in result.output
    assert shopper.get(f"/orders/{stale['id']}").json["status"] == "pending"
    assert shopper.client.get(f"/products/{pid}").json["stock"] == 9
