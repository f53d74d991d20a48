"""The webhook with events signed by hand the way Stripe signs them: what localstripe never
sends (charge.refunded, payment_intent.canceled), duplicates, disorder, and forgeries."""

import json
import logging
import time

import pytest
from sqlalchemy import func, select

from shop.extensions import db
from shop.payments.models import PaymentEvent
from tests.helpers import log_in
from tests.stripe.helpers import WEBHOOK_PATH, event_payload, intent_object, sign

pytestmark = pytest.mark.stripe


@pytest.fixture
def order(shopper, make_product):
    """A pending order of 2 × 1500 cents, with its intent on localstripe."""
    pid = make_product(price=1500, stock=10)
    response = shopper.post("/orders/new", json=[str(pid), str(pid)])
    assert response.status_code == 201, response.json
    return {**response.json, "productId": pid}


@pytest.fixture
def status_of(shopper):
    return lambda order: shopper.get(f"/orders/{order['id']}").json["status"]


@pytest.fixture
def events_recorded(app):
    def count() -> int:
        with app.app_context():
            return db.session.scalar(select(func.count()).select_from(PaymentEvent))

    return count


def stock(shopper, order) -> int:
    return shopper.client.get(f"/products/{order['productId']}").json["stock"]


def charge_object(order, *, refunded=True, amount_refunded=None) -> dict:
    return {"id": "ch_test", "object": "charge", "amount": order["amountInCents"],
            "amount_refunded": (order["amountInCents"] if amount_refunded is None
                                else amount_refunded),
            "refunded": refunded, "currency": order["currency"],
            "payment_intent": intent_object(order)["id"]}


def test_a_signed_succeeded_event_marks_the_order_paid(post_event, order, status_of,
                                                       events_recorded):
    response = post_event("payment_intent.succeeded", intent_object(order), event_id="evt_1")
    assert response.status_code == 200, response.json
    assert response.json == {"received": True, "outcome": "paid"}
    assert status_of(order) == "paid"
    assert events_recorded() == 1


@pytest.mark.parametrize("change", [{"amount": 2999}, {"amount": 3001}, {"currency": "eur"}],
                         ids=["less", "more", "other-currency"])
def test_a_payment_that_does_not_match_the_order_does_not_mark_it_paid(
        post_event, order, status_of, change, caplog):
    with caplog.at_level(logging.ERROR, logger="shop.payments.services"):
        response = post_event("payment_intent.succeeded", intent_object(order, **change))
    assert response.status_code == 200
    assert status_of(order) == "pending"
    [record] = [r for r in caplog.records if r.message == "payment does not match order"]
    assert (record.order_id, record.outcome) == (order["id"], "mismatch")


def test_a_replayed_event_changes_nothing(post_event, order, shopper, events_recorded):
    def fail(event_id, message):
        obj = intent_object(order, status="requires_payment_method",
                            last_payment_error={"message": message})
        return post_event("payment_intent.payment_failed", obj, event_id=event_id)

    assert fail("evt_a", "Your card was declined.").json["outcome"] == "failed"
    assert fail("evt_b", "Your card has insufficient funds.").json["outcome"] == "failed"
    replay = fail("evt_a", "Your card was declined.")
    assert replay.status_code == 200
    assert replay.json == {"received": True, "outcome": "duplicate"}
    current = shopper.get(f"/orders/{order['id']}").json
    assert current["paymentError"] == "Your card has insufficient funds."
    assert current["status"] == "pending"
    assert events_recorded() == 2


def test_a_replayed_succeeded_event_is_acknowledged_once(post_event, order, status_of,
                                                         events_recorded):
    first = post_event("payment_intent.succeeded", intent_object(order), event_id="evt_s")
    again = post_event("payment_intent.succeeded", intent_object(order), event_id="evt_s")
    assert (first.json["outcome"], again.json["outcome"]) == ("paid", "duplicate")
    assert again.status_code == 200
    assert status_of(order) == "paid"
    assert events_recorded() == 1


def test_a_failure_arriving_after_the_success_leaves_the_order_paid(post_event, order,
                                                                    shopper):
    post_event("payment_intent.succeeded", intent_object(order))
    late = intent_object(order, status="requires_payment_method",
                         last_payment_error={"message": "Your card was declined."})
    assert post_event("payment_intent.payment_failed", late).status_code == 200
    current = shopper.get(f"/orders/{order['id']}").json
    assert (current["status"], current["paymentError"]) == ("paid", None)


def test_a_cancel_arriving_after_the_success_leaves_the_order_paid(post_event, order,
                                                                   status_of, shopper):
    post_event("payment_intent.succeeded", intent_object(order))
    response = post_event("payment_intent.canceled", intent_object(order, status="canceled"))
    assert response.status_code == 200
    assert status_of(order) == "paid"
    assert stock(shopper, order) == 8


def test_a_success_arriving_after_a_cancel_leaves_the_order_cancelled(post_event, order,
                                                                      status_of, caplog):
    post_event("payment_intent.canceled", intent_object(order, status="canceled"))
    with caplog.at_level(logging.ERROR, logger="shop.payments.services"):
        post_event("payment_intent.succeeded", intent_object(order))
    assert status_of(order) == "cancelled"
    assert any(getattr(r, "outcome", None) == "paid-after-cancel" for r in caplog.records)


def test_a_canceled_event_cancels_the_pending_order_and_returns_its_stock(
        post_event, order, status_of, shopper, localstripe):
    assert stock(shopper, order) == 8
    response = post_event("payment_intent.canceled", intent_object(order, status="canceled"))
    assert response.status_code == 200, response.json
    assert status_of(order) == "cancelled"
    assert stock(shopper, order) == 10
    # Stripe told us; the shop does not cancel back.
    assert localstripe.intent(intent_object(order)["id"]).status == "requires_payment_method"


def test_a_full_refund_made_on_stripe_marks_the_order_refunded(post_event, order, status_of,
                                                                shopper):
    post_event("payment_intent.succeeded", intent_object(order))
    response = post_event("charge.refunded", charge_object(order))
    assert response.status_code == 200, response.json
    assert status_of(order) == "refunded"
    assert stock(shopper, order) == 8  # refunds do not restock: the goods may be gone


def test_a_partial_refund_leaves_the_order_as_it_is(post_event, order, status_of):
    post_event("payment_intent.succeeded", intent_object(order))
    response = post_event("charge.refunded",
                          charge_object(order, refunded=False, amount_refunded=500))
    assert response.json["outcome"] == "ignored"
    assert status_of(order) == "paid"


def test_a_refund_of_an_order_never_paid_changes_nothing(post_event, order, status_of):
    assert post_event("charge.refunded", charge_object(order)).status_code == 200
    assert status_of(order) == "pending"


def test_an_event_type_the_shop_does_not_handle_is_acknowledged_and_logged(
        post_event, order, status_of, caplog):
    with caplog.at_level(logging.INFO, logger="shop.payments.webhooks"):
        response = post_event("customer.created", {"id": "cus_1", "object": "customer"},
                              event_id="evt_other")
    assert response.status_code == 200
    assert response.json["outcome"] == "ignored"
    [record] = [r for r in caplog.records if r.message == "webhook type ignored"]
    assert (record.event_id, record.event_type) == ("evt_other", "customer.created")
    assert status_of(order) == "pending"


def test_an_event_for_an_unknown_intent_is_acknowledged(post_event, order, status_of):
    response = post_event("payment_intent.succeeded",
                          intent_object(order, id="pi_somebody_else", metadata={}))
    assert response.status_code == 200
    assert response.json["outcome"] == "unknown-order"
    assert status_of(order) == "pending"


def test_payment_events_are_logged_with_order_intent_and_event(post_event, order, caplog):
    with caplog.at_level(logging.INFO, logger="shop.payments.services"):
        post_event("payment_intent.succeeded", intent_object(order), event_id="evt_log")
    [record] = [r for r in caplog.records if r.message == "order paid"]
    assert record.order_id == order["id"]
    assert record.intent_id == intent_object(order)["id"]
    assert record.event_id == "evt_log"
    assert record.outcome == "paid"


# --- Forgeries: every one gets 400 problem+json and changes nothing ---


def forged_headers(payload: str) -> dict[str, str]:
    now = int(time.time())
    good = sign(payload, timestamp=now)
    return {
        "unsigned": {},
        "empty": {"Stripe-Signature": ""},
        "garbage": {"Stripe-Signature": "not a signature"},
        "wrong-secret": {"Stripe-Signature": sign(payload, "whsec_guessed")},
        "wrong-scheme": {"Stripe-Signature": good.replace("v1=", "v0=")},
        "stale": {"Stripe-Signature": sign(payload, timestamp=now - 3600)},
        "other-timestamp": {"Stripe-Signature": good.replace(f"t={now}", f"t={now + 1}")},
    }


FORGERIES = ["unsigned", "empty", "garbage", "wrong-secret", "wrong-scheme", "stale",
             "other-timestamp"]


@pytest.mark.parametrize("forgery", FORGERIES)
def test_a_forged_event_gets_400_and_changes_nothing(client, order, status_of,
                                                     events_recorded, forgery):
    payload = event_payload("payment_intent.succeeded", intent_object(order))
    response = client.post(WEBHOOK_PATH, data=payload, content_type="application/json",
                           headers=forged_headers(payload)[forgery])
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json["status"] == 400
    assert status_of(order) == "pending"
    assert events_recorded() == 0


@pytest.mark.parametrize("tamper", ["amount", "type", "appended"])
def test_a_tampered_event_gets_400_and_changes_nothing(client, order, status_of,
                                                       events_recorded, tamper):
    # Signed for a harmless event, then altered on the way.
    signed = event_payload("payment_intent.payment_failed",
                           intent_object(order, amount=1, status="requires_payment_method"))
    header = sign(signed)
    event = json.loads(signed)
    if tamper == "amount":
        event["data"]["object"].update(amount=order["amountInCents"], status="succeeded")
        body = json.dumps(event)
    elif tamper == "type":
        body = signed.replace("payment_intent.payment_failed", "payment_intent.succeeded")
    else:
        body = signed + " "
    response = client.post(WEBHOOK_PATH, data=body, content_type="application/json",
                           headers={"Stripe-Signature": header})
    assert response.status_code == 400
    assert status_of(order) == "pending"
    assert events_recorded() == 0


@pytest.mark.parametrize("body", ["not json", "[]", '{"id": "evt_x", "type": "x"}',
                                  '{"id": "evt_x", "type": "payment_intent.succeeded", '
                                  '"data": {"object": {"id": "pi_x"}}}'],
                         ids=["text", "array", "no-object", "object-without-fields"])
def test_a_signed_body_that_is_not_an_event_gets_400(client, body, events_recorded):
    response = client.post(WEBHOOK_PATH, data=body, content_type="application/json",
                           headers={"Stripe-Signature": sign(body)})
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/problem+json"
    assert events_recorded() == 0


@pytest.mark.parametrize("app_config", [{"STRIPE_WEBHOOK_SECRET": None}], indirect=True)
def test_without_a_webhook_secret_every_event_gets_400(client, order, status_of):
    for secret in ("", "whsec_anything"):
        payload = event_payload("payment_intent.succeeded", intent_object(order))
        response = client.post(WEBHOOK_PATH, data=payload, content_type="application/json",
                               headers={"Stripe-Signature": sign(payload, secret or "x")})
        assert response.status_code == 400
        assert "STRIPE_WEBHOOK_SECRET" in response.json["detail"]
    assert status_of(order) == "pending"


def test_the_webhook_needs_no_csrf_token_where_other_posts_do(client, make_user, order,
                                                              status_of):
    # A browser session makes the CSRF check apply; Stripe's signature stands in for it.
    make_user("browser@example.com")
    log_in(client, "browser@example.com")
    refused = client.post("/orders/new", json=[str(order["productId"])])
    assert refused.status_code == 400  # no X-CSRFToken
    payload = event_payload("payment_intent.succeeded", intent_object(order))
    response = client.post(WEBHOOK_PATH, data=payload, content_type="application/json",
                           headers={"Stripe-Signature": sign(payload)})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert status_of(order) == "paid"
