"""Stripe mode: the PaymentIntent carries the shipping address; the webhook's paid sends mail."""

import pytest
from sqlalchemy import select

from shop.extensions import db
from shop.mail.models import OutboxMessage
from tests.stripe.helpers import intent_object

pytestmark = pytest.mark.stripe

ADDRESS = {"name": "Rosa Diaz", "line1": "1 Main St", "city": "Springfield",
           "postalCode": "12345", "country": "US"}


def test_the_intent_carries_the_shipping_name_and_address(shopper, client, localstripe,
                                                          make_product):
    pid = make_product(price=1500)
    standard = next(m for m in client.get("/shipping-methods").json if m["requiresAddress"])
    response = shopper.post("/orders/new", json={"products": [pid],
                                                 "shippingMethodId": standard["id"],
                                                 "shippingAddress": ADDRESS})
    assert response.status_code == 201, response.json
    order = response.json
    intent = localstripe.intent(order["clientSecret"].split("_secret_")[0])
    assert intent.amount == 1500 + standard["priceInCents"] == order["amountInCents"]
    assert intent.metadata["shipping_name"] == "Rosa Diaz"
    assert intent.metadata["shipping_address"] == "1 Main St, 12345, Springfield, US"


def test_the_webhook_marking_an_order_paid_queues_its_confirmation(app, shopper, post_event,
                                                                   make_product, localstripe):
    pid = make_product(price=1500)
    order = shopper.post("/orders/new", json=[pid]).json
    # The shop settles on Stripe's own state: the intent is paid there before the event comes.
    localstripe.pay(intent_object(order)["id"])
    assert post_event("payment_intent.succeeded", intent_object(order),
                      event_id="evt_paid").status_code == 200
    post_event("payment_intent.succeeded", intent_object(order), event_id="evt_paid")  # again
    with app.app_context():
        rows = list(db.session.scalars(select(OutboxMessage)))
        assert [(r.kind, r.recipient) for r in rows] == [("order-paid", "shopper@example.com")]
        assert f"Order {order['id']} is confirmed" == rows[0].subject
