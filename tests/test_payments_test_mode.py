"""Without Stripe keys the shop pays offline, and its Stripe webhook trusts nothing."""

import json
import time

import stripe

from shop.payments.gateway import get_gateway


def test_without_a_stripe_key_the_offline_gateway_is_used(app, shopper, make_product):
    with app.app_context():
        assert (get_gateway().name, get_gateway().test_mode) == ("offline", True)
    pid = make_product(price=300, stock=2)
    order = shopper.post("/orders/new", json=[str(pid)]).json
    assert order["clientSecret"].startswith("pi_test_")


def test_without_a_webhook_secret_the_webhook_refuses_even_signed_events(client, shopper,
                                                                        make_product):
    pid = make_product(price=300, stock=2)
    order = shopper.post("/orders/new", json=[str(pid)]).json
    payload = json.dumps({
        "id": "evt_1", "object": "event", "type": "payment_intent.succeeded",
        "created": int(time.time()),
        "data": {"object": {"id": order["clientSecret"].split("_secret_")[0],
                            "object": "payment_intent", "amount": 300, "currency": "usd",
                            "status": "succeeded", "metadata": {"order_id": str(order["id"])}}},
    })
    header = stripe.WebhookSignature.generate_signature_header(payload, "whsec_guess")
    response = client.post("/payments/stripe/webhook", data=payload,
                           content_type="application/json",
                           headers={"Stripe-Signature": header})
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/problem+json"
    assert shopper.get(f"/orders/{order['id']}").json["status"] == "pending"
