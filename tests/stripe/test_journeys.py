"""Whole journeys through the real stripe library and localstripe, webhooks included."""

import pytest
import stripe

from shop.payments.gateway import build_gateway
from tests.stripe.helpers import free_port, wait_for

pytestmark = pytest.mark.stripe


def test_an_order_gets_an_intent_for_its_amount_currency_and_id(shopper, make_product,
                                                                 localstripe):
    pid = make_product(price=1250, stock=5)
    response = shopper.post("/orders/new", json=[str(pid), str(pid)])
    assert response.status_code == 201, response.json
    order = response.json
    intent_id = order["clientSecret"].split("_secret_")[0]
    intent = localstripe.intent(intent_id)
    assert intent.amount == 2500
    assert intent.currency == "usd"
    assert intent.metadata["order_id"] == str(order["id"])
    assert intent.client_secret == order["clientSecret"]
    assert intent.status == "requires_payment_method"


def test_a_card_payment_marks_the_order_paid_through_the_signed_webhook(
        shopper, make_product, localstripe, webhooks_to_app):
    pid = make_product(price=1999, stock=5)
    order = shopper.post("/orders/new", json=[str(pid)]).json
    intent = localstripe.pay(order["clientSecret"].split("_secret_")[0])
    assert intent.status == "succeeded"

    paid = wait_for(lambda: shopper.get(f"/orders/{order['id']}").json["status"] == "paid",
                    what="the payment_intent.succeeded webhook")
    assert paid
    assert shopper.get(f"/orders/{order['id']}").json["paymentError"] is None


def intent_id_of(order: dict) -> str:
    return order["clientSecret"].split("_secret_")[0]


def test_a_declined_card_leaves_the_order_pending_with_the_failure_recorded(
        shopper, make_product, localstripe, webhooks_to_app):
    pid = make_product(price=1500, stock=5)
    order = shopper.post("/orders/new", json=[str(pid)]).json
    with pytest.raises(stripe.CardError):
        localstripe.pay(intent_id_of(order), card="4000000000000341")

    failed = wait_for(lambda: shopper.get(f"/orders/{order['id']}").json["paymentError"],
                      what="the payment_intent.payment_failed webhook")
    assert failed == "Your card was declined."
    current = shopper.get(f"/orders/{order['id']}").json
    assert current["status"] == "pending"
    # Still the shopper's to pay or cancel: nothing went back to stock, nothing was cancelled.
    assert shopper.client.get(f"/products/{pid}").json["stock"] == 4
    assert localstripe.intent(intent_id_of(order)).status == "requires_payment_method"


def test_the_owner_asking_paid_gets_it_only_once_stripe_says_so(shopper, make_product,
                                                                localstripe):
    pid = make_product(price=800, stock=5)
    order = shopper.post("/orders/new", json=[str(pid)]).json
    early = shopper.post("/orders/status-update", json={"orderId": order["id"],
                                                        "status": "paid"})
    assert early.status_code == 409, early.json
    assert early.json["paymentStatus"] == "requires_payment_method"

    localstripe.pay(intent_id_of(order))
    # No webhook reaches the app in this test: the server asks Stripe itself.
    response = shopper.post("/orders/status-update", json={"orderId": order["id"],
                                                           "status": "paid"})
    assert response.status_code == 200, response.json
    assert shopper.get(f"/orders/{order['id']}").json["status"] == "paid"


def test_a_staff_refund_refunds_the_payment_on_stripe(shopper, staff, make_product,
                                                      localstripe, webhooks_to_app):
    pid = make_product(price=4200, stock=5)
    order = shopper.post("/orders/new", json=[str(pid)]).json
    localstripe.pay(intent_id_of(order))
    wait_for(lambda: shopper.get(f"/orders/{order['id']}").json["status"] == "paid",
             what="the order to be paid")
    assert localstripe.refunds(intent_id_of(order)) == []

    response = staff.post("/orders/status-update", json={"orderId": order["id"],
                                                         "status": "refunded"})
    assert response.status_code == 200, response.json
    assert response.json == {"id": order["id"], "status": "refunded"}
    refunds = localstripe.refunds(intent_id_of(order))
    assert [(r.amount, r.status) for r in refunds] == [(4200, "succeeded")]


def test_a_refund_stripe_cannot_make_is_502_and_the_order_stays_paid(app, shopper, staff,
                                                                    make_product, localstripe):
    pid = make_product(price=4200, stock=5)
    order = shopper.post("/orders/new", json=[str(pid)]).json
    localstripe.pay(intent_id_of(order))
    assert shopper.post("/orders/status-update", json={"orderId": order["id"],
                                                       "status": "paid"}).status_code == 200
    # Stripe becomes unreachable before the refund.
    app.extensions["shop.payment_gateway"] = build_gateway(
        {**app.config, "STRIPE_API_BASE": f"http://127.0.0.1:{free_port()}"})
    response = staff.post("/orders/status-update", json={"orderId": order["id"],
                                                         "status": "refunded"})
    assert response.status_code == 502, response.json
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json["code"] == "payment-provider-error"
    assert shopper.get(f"/orders/{order['id']}").json["status"] == "paid"
    assert localstripe.refunds(intent_id_of(order)) == []


def test_marking_paid_by_hand_cancels_the_intent_so_nobody_pays_twice(shopper, staff,
                                                                      make_product, localstripe):
    pid = make_product(price=4200, stock=5)
    order = shopper.post("/orders/new", json=[str(pid)]).json
    # Paid some other way (a bank transfer): staff mark it paid, Stripe's intent is closed.
    assert staff.post("/orders/status-update",
                      json={"orderId": order["id"], "status": "paid"}).status_code == 200
    assert localstripe.intent(intent_id_of(order)).status == "canceled"
    # A refund then has nothing to refund at Stripe (which would refuse one for a cancelled
    # intent, a 502): the order is refunded all the same.
    response = staff.post("/orders/status-update", json={"orderId": order["id"],
                                                         "status": "refunded"})
    assert response.json == {"id": order["id"], "status": "refunded"}
    assert localstripe.intent(intent_id_of(order)).status == "canceled"


def test_the_owner_cancelling_cancels_the_intent_and_returns_the_stock(shopper, make_product,
                                                                       localstripe):
    pid = make_product(price=700, stock=5)
    order = shopper.post("/orders/new", json=[str(pid), str(pid)]).json
    assert shopper.client.get(f"/products/{pid}").json["stock"] == 3

    response = shopper.post("/orders/status-update", json={"orderId": order["id"],
                                                           "status": "cancelled"})
    assert response.status_code == 200, response.json
    assert localstripe.intent(intent_id_of(order)).status == "canceled"
    assert shopper.client.get(f"/products/{pid}").json["stock"] == 5
    assert shopper.get(f"/orders/{order['id']}").json["status"] == "cancelled"


def test_cancelling_an_order_stripe_has_already_been_paid_for_is_409(shopper, make_product,
                                                                     localstripe):
    pid = make_product(price=700, stock=5)
    order = shopper.post("/orders/new", json=[str(pid)]).json
    localstripe.pay(intent_id_of(order))  # the webhook has not arrived yet

    response = shopper.post("/orders/status-update", json={"orderId": order["id"],
                                                           "status": "cancelled"})
    assert response.status_code == 409, response.json
    assert response.json["code"] == "state-conflict"
    assert shopper.get(f"/orders/{order['id']}").json["status"] == "pending"
    assert shopper.client.get(f"/products/{pid}").json["stock"] == 4
    assert localstripe.intent(intent_id_of(order)).status == "succeeded"
