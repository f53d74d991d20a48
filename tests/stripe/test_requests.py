"""What the shop sends Stripe, seen by a proxy in front of localstripe (which ignores
idempotency keys and would accept a retry twice)."""

import pytest

from shop.payments.stripe_gateway import API_VERSION, StripeGateway
from tests.stripe.helpers import SECRET_KEY, stripe_config

pytestmark = pytest.mark.stripe


@pytest.fixture
def app_config(request, tmp_path, recording_proxy):
    return stripe_config(tmp_path, recording_proxy.url, **getattr(request, "param", {}))


def requests_to(proxy, method, path):
    return [r for r in proxy.seen if r.method == method and r.path == path]


def test_an_intent_carries_amount_currency_order_description_receipt_and_a_key(
        shopper, make_product, recording_proxy):
    pid = make_product(price=1250, stock=5)
    order = shopper.post("/orders/new", json=[str(pid), str(pid)]).json

    [create] = requests_to(recording_proxy, "POST", "/v1/payment_intents")
    assert create.params == {"amount": ["2500"], "currency": ["usd"],
                             "metadata[order_id]": [str(order["id"])],
                             "description": [f"Order {order['id']}"],
                             "receipt_email": ["shopper@example.com"]}
    assert create.headers["Idempotency-Key"].startswith(f"order-{order['id']}-")
    assert create.headers["Authorization"] == f"Bearer {SECRET_KEY}"
    # The API version is named on every request, never left to the library's default.
    assert create.headers["Stripe-Version"] == API_VERSION


@pytest.mark.parametrize("app_config", [{"SHOP_STATEMENT_DESCRIPTOR_SUFFIX": "MUGS"}],
                         indirect=True)
def test_the_statement_descriptor_suffix_is_sent_when_configured(shopper, make_product,
                                                                 recording_proxy):
    pid = make_product(price=1250, stock=5)
    shopper.post("/orders/new", json=[str(pid)])
    [create] = requests_to(recording_proxy, "POST", "/v1/payment_intents")
    assert create.params["statement_descriptor_suffix"] == ["MUGS"]


def test_stripe_calls_fail_fast():
    gateway = StripeGateway(secret_key=SECRET_KEY)
    assert gateway.timeout <= 5 and gateway.max_network_retries <= 1


def test_a_refund_carries_an_idempotency_key_per_refund(shopper, staff, make_product,
                                                       recording_proxy, localstripe):
    pid = make_product(price=990, stock=5)
    order = shopper.post("/orders/new", json=[str(pid)]).json
    localstripe.pay(order["clientSecret"].split("_secret_")[0])
    assert shopper.post("/orders/status-update",
                        json={"orderId": order["id"], "status": "paid"}).status_code == 200

    assert staff.post("/orders/status-update",
                      json={"orderId": order["id"], "status": "refunded"}).status_code == 200
    [refund] = requests_to(recording_proxy, "POST", "/v1/refunds")
    [row] = staff.get(f"/orders/{order['id']}/refunds").json
    assert refund.params == {"payment_intent": [order["clientSecret"].split("_secret_")[0]],
                             "amount": ["990"], "metadata[shop_refund_id]": [str(row["id"])],
                             "metadata[reason]": ["Order refunded"]}
    # The refund row's own key on any retry, so Stripe makes each refund once.
    assert refund.headers["Idempotency-Key"] == f"refund-{order['id']}-{row['id']}"


def test_cancelling_posts_to_the_intent_cancel_endpoint(shopper, make_product,
                                                        recording_proxy):
    pid = make_product(price=990, stock=5)
    order = shopper.post("/orders/new", json=[str(pid)]).json
    intent_id = order["clientSecret"].split("_secret_")[0]
    assert shopper.post("/orders/status-update",
                        json={"orderId": order["id"], "status": "cancelled"}).status_code == 200
    [cancel] = requests_to(recording_proxy, "POST", f"/v1/payment_intents/{intent_id}/cancel")
    assert cancel.params == {}
