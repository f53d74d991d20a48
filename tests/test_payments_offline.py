"""The offline test gateway: Stripe's test cards, real intent rows, refunds and cancels."""

import pytest

from shop.extensions import db
from shop.payments.models import OfflinePaymentIntent

VISA = "4242 4242 4242 4242"
DECLINED = "4000 0000 0000 0002"


@pytest.fixture
def order(shopper, make_product):
    pid = make_product(price=2500, stock=10)
    return shopper.post("/orders/new", json=[pid, pid]).json


def pay(client, order, card):
    return client.post("/payments/test/confirm",
                       json={"clientSecret": order["clientSecret"], "cardNumber": card})


def intent_row(app, order) -> OfflinePaymentIntent:
    with app.app_context():
        return db.session.scalar(db.select(OfflinePaymentIntent).where(
            OfflinePaymentIntent.client_secret == order["clientSecret"]))


def test_intents_are_real_rows_with_stripe_like_secrets(app, order):
    row = intent_row(app, order)
    assert row.id.startswith("pi_") and order["clientSecret"].startswith(row.id + "_secret_")
    assert (row.amount, row.currency, row.order_id) == (5000, "usd", order["id"])
    assert row.status == "requires_payment_method"


def test_the_success_card_pays_the_order(shopper, app, order):
    response = pay(shopper, order, VISA)
    assert response.status_code == 200 and response.json["status"] == "paid"
    assert shopper.get(f"/orders/{order['id']}").json["status"] == "paid"
    assert intent_row(app, order).status == "succeeded"


def test_the_decline_card_leaves_the_order_pending_and_allows_a_retry(shopper, order):
    declined = pay(shopper, order, DECLINED)
    assert declined.status_code == 402
    assert declined.json["detail"] == "Your card was declined."
    again = shopper.get(f"/orders/{order['id']}").json
    assert again["status"] == "pending" and again["paymentError"] == "Your card was declined."
    retry = pay(shopper, order, VISA)
    assert retry.json["status"] == "paid" and retry.json["paymentError"] is None


@pytest.mark.parametrize("card", ["1234", "4242 4242 4242 4241", "abcd"])
def test_invalid_card_numbers_are_400(shopper, order, card):
    assert pay(shopper, order, card).status_code == 400
    assert shopper.get(f"/orders/{order['id']}").json["status"] == "pending"


def test_only_the_owner_can_pay_with_the_secret(api_as, order):
    assert pay(api_as("thief@example.com"), order, VISA).status_code == 404


def test_missing_fields_are_400(shopper, order):
    assert shopper.post("/payments/test/confirm", json={"cardNumber": VISA}).status_code == 400


def test_refund_reaches_the_gateway(shopper, staff, app, order):
    pay(shopper, order, VISA)
    response = staff.post("/orders/status-update", json={"orderId": order["id"],
                                                         "status": "refunded"})
    assert response.json["status"] == "refunded"
    assert intent_row(app, order).amount_refunded == 5000


def test_cancel_cancels_the_intent_and_it_cannot_be_paid_after(shopper, app, order):
    shopper.post("/orders/status-update", json={"orderId": order["id"], "status": "cancelled"})
    assert intent_row(app, order).status == "canceled"
    assert pay(shopper, order, VISA).status_code == 409
    assert shopper.get(f"/orders/{order['id']}").json["status"] == "cancelled"


def test_staff_marking_paid_by_hand_closes_the_intent(shopper, staff, app, order):
    staff.post("/orders/status-update", json={"orderId": order["id"], "status": "paid"})
    assert intent_row(app, order).status == "canceled"
    assert pay(shopper, order, VISA).status_code == 409
    # Nothing was paid through the provider, so a refund has nothing to refund there.
    staff.post("/orders/status-update", json={"orderId": order["id"], "status": "refunded"})
    assert intent_row(app, order).amount_refunded == 0
