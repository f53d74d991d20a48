"""What the shop sends Stripe, seen by a proxy in front of localstripe (which ignores
idempotency keys and would accept a retry twice)."""

import pytest

from tests.stripe.helpers import SECRET_KEY, stripe_config

pytestmark = pytest.mark.stripe


@pytest.fixture
def app_config(tmp_path, recording_proxy):
    return stripe_config(tmp_path, recording_proxy.url)


def requests_to(proxy, method, path):
    return [r for r in proxy.seen if r.method == method and r.path == path]


def test_an_intent_is_created_with_only_amount_currency_order_id_and_an_idempotency_key(
        shopper, make_product, recording_proxy):
    pid = make_product(price=1250, stock=5)
    order = shopper.post("/orders/new", json=[str(pid), str(pid)]).json

    [create] = requests_to(recording_proxy, "POST", "/v1/payment_intents")
    assert create.params == {"amount": ["2500"], "currency": ["usd"],
                             "metadata[order_id]": [str(order["id"])]}
    assert create.headers["Idempotency-Key"].startswith(f"order-{order['id']}-")
    assert create.headers["Authorization"] == f"Bearer {SECRET_KEY}"


def test_a_refund_carries_an_idempotency_key_per_order(shopper, staff, make_product,
                                                       recording_proxy, localstripe):
    pid = make_product(price=990, stock=5)
    order = shopper.post("/orders/new", json=[str(pid)]).json
    localstripe.pay(order["clientSecret"].split("_secret_")[0])
    assert shopper.post("/orders/status-update",
                        json={"orderId": order["id"], "status": "paid"}).status_code == 200

    assert staff.post("/orders/status-update",
                      json={"orderId": order["id"], "status": "refunded"}).status_code == 200
    [refund] = requests_to(recording_proxy, "POST", "/v1/refunds")
    assert refund.params == {"payment_intent": [order["clientSecret"].split("_secret_")[0]]}
    # The same key on any retry, so Stripe refunds an order once however often it is asked.
    assert refund.headers["Idempotency-Key"] == f"refund-order-{order['id']}"


def test_cancelling_posts_to_the_intent_cancel_endpoint(shopper, make_product,
                                                        recording_proxy):
    pid = make_product(price=990, stock=5)
    order = shopper.post("/orders/new", json=[str(pid)]).json
    intent_id = order["clientSecret"].split("_secret_")[0]
    assert shopper.post("/orders/status-update",
                        json={"orderId": order["id"], "status": "cancelled"}).status_code == 200
    [cancel] = requests_to(recording_proxy, "POST", f"/v1/payment_intents/{intent_id}/cancel")
    assert cancel.params == {}
