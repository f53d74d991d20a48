"""The webhook with events signed by hand the way Stripe signs them: what localstripe never
sends (charge.refunded, payment_intent.canceled), duplicates, disorder, and forgeries.

An event is only news that something changed: the shop asks localstripe for the intent's
current state and settles on that. So each test first makes the change on localstripe (pays,
cancels, refunds), then delivers the event, in whatever order the test is about.
"""

import json
import logging
import time

import pytest
import stripe
from sqlalchemy import func, select, update

from shop.extensions import db
from shop.orders.models import Order
from shop.payments.models import PaymentEvent
from tests.helpers import log_in
from tests.stripe.helpers import WEBHOOK_PATH, event_payload, intent_object, sign

pytestmark = pytest.mark.stripe


@pytest.fixture
def pay(localstripe):
    """Pay the order's intent on localstripe with a card that succeeds."""
    return lambda order: localstripe.pay(intent_object(order)["id"])


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
                                                       events_recorded, pay):
    pay(order)
    response = post_event("payment_intent.succeeded", intent_object(order), event_id="evt_1")
    assert response.status_code == 200, response.json
    assert response.json == {"received": True, "outcome": "paid"}
    assert status_of(order) == "paid"
    assert events_recorded() == 1


@pytest.mark.parametrize("change", [{"amount_in_cents": 2999}, {"amount_in_cents": 3001},
                                    {"currency": "eur"}],
                         ids=["less", "more", "other-currency"])
def test_a_payment_that_does_not_match_the_order_does_not_mark_it_paid(
        app, post_event, order, status_of, change, caplog, pay, staff):
    # The order no longer says what its intent charged (as if changed after the intent).
    with app.app_context():
        db.session.execute(update(Order).where(Order.id == order["id"]).values(**change))
        db.session.commit()
    pay(order)
    with caplog.at_level(logging.ERROR, logger="shop.payments.services"):
        response = post_event("payment_intent.succeeded", intent_object(order))
        again = post_event("payment_intent.succeeded", intent_object(order))
    assert response.status_code == 200 and response.json["outcome"] == "mismatch"
    assert again.json["outcome"] == "mismatch"
    assert status_of(order) == "pending"
    [record, _] = [r for r in caplog.records if r.message == "payment does not match order"]
    assert (record.order_id, record.outcome) == (order["id"], "mismatch")
    # Kept once, and shown to staff as needing attention.
    page = staff.get("/staff/orders?attention=1").get_data(as_text=True)
    assert f"/staff/orders/{order['id']}" in page
    assert "amount or currency" in staff.get(f"/staff/orders/{order['id']}").get_data(
        as_text=True)


def test_a_replayed_event_changes_nothing(post_event, order, shopper, events_recorded,
                                          localstripe):
    def fail(event_id, message):
        obj = intent_object(order, status="requires_payment_method",
                            last_payment_error={"message": message})
        return post_event("payment_intent.payment_failed", obj, event_id=event_id)

    with pytest.raises(stripe.CardError):
        localstripe.pay(intent_object(order)["id"], card="4000000000000341")
    assert fail("evt_a", "Your card was declined.").json["outcome"] == "failed"
    assert fail("evt_b", "Your card was declined.").json["outcome"] == "failed"
    replay = fail("evt_a", "Your card was declined.")
    assert replay.status_code == 200
    assert replay.json == {"received": True, "outcome": "duplicate"}
    current = shopper.get(f"/orders/{order['id']}").json
    assert current["paymentError"] == "Your card was declined."
    assert current["status"] == "pending"
    assert events_recorded() == 2


def test_a_replayed_succeeded_event_is_acknowledged_once(post_event, order, status_of,
                                                         events_recorded, pay):
    pay(order)
    first = post_event("payment_intent.succeeded", intent_object(order), event_id="evt_s")
    again = post_event("payment_intent.succeeded", intent_object(order), event_id="evt_s")
    assert (first.json["outcome"], again.json["outcome"]) == ("paid", "duplicate")
    assert again.status_code == 200
    assert status_of(order) == "paid"
    assert events_recorded() == 1


def test_a_failure_arriving_after_the_success_leaves_the_order_paid(post_event, order,
                                                                    shopper, pay):
    pay(order)
    post_event("payment_intent.succeeded", intent_object(order))
    late = intent_object(order, status="requires_payment_method",
                         last_payment_error={"message": "Your card was declined."})
    assert post_event("payment_intent.payment_failed", late).status_code == 200
    current = shopper.get(f"/orders/{order['id']}").json
    assert (current["status"], current["paymentError"]) == ("paid", None)


def test_a_cancel_arriving_after_the_success_leaves_the_order_paid(post_event, order,
                                                                   status_of, shopper, pay):
    pay(order)
    post_event("payment_intent.succeeded", intent_object(order))
    response = post_event("payment_intent.canceled", intent_object(order, status="canceled"))
    assert response.status_code == 200
    assert status_of(order) == "paid"
    assert stock(shopper, order) == 8


def test_a_success_arriving_after_a_cancel_leaves_the_order_cancelled(
        app, post_event, order, status_of, caplog, pay, staff):
    # The order was cancelled in the shop (expired) while the shopper was paying.
    with app.app_context():
        db.session.execute(update(Order).where(Order.id == order["id"])
                           .values(status="cancelled"))
        db.session.commit()
    pay(order)
    with caplog.at_level(logging.ERROR, logger="shop.payments.services"):
        post_event("payment_intent.succeeded", intent_object(order))
    assert status_of(order) == "cancelled"
    assert any(getattr(r, "outcome", None) == "paid-after-cancel" for r in caplog.records)
    assert f"/staff/orders/{order['id']}" in staff.get("/staff/orders?attention=1").get_data(
        as_text=True)


def test_a_canceled_event_cancels_the_pending_order_and_returns_its_stock(
        post_event, order, status_of, shopper, localstripe):
    assert stock(shopper, order) == 8
    # Cancelled on Stripe's side (the dashboard); the event tells the shop.
    localstripe.client.v1.payment_intents.cancel(intent_object(order)["id"])
    response = post_event("payment_intent.canceled", intent_object(order, status="canceled"))
    assert response.status_code == 200, response.json
    assert status_of(order) == "cancelled"
    assert stock(shopper, order) == 10
    again = post_event("payment_intent.canceled", intent_object(order, status="canceled"))
    assert again.status_code == 200 and stock(shopper, order) == 10


def test_a_forged_looking_but_signed_success_for_an_unpaid_intent_changes_nothing(
        post_event, order, status_of):
    # Stripe says the intent is not paid: the event's own claim is not enough.
    response = post_event("payment_intent.succeeded", intent_object(order))
    assert response.status_code == 200
    assert status_of(order) == "pending"


def test_a_processing_event_clears_the_last_error_and_keeps_the_order_pending(
        post_event, order, shopper, localstripe):
    with pytest.raises(stripe.CardError):
        localstripe.pay(intent_object(order)["id"], card="4000000000000341")
    post_event("payment_intent.payment_failed", intent_object(order))
    assert shopper.get(f"/orders/{order['id']}").json["paymentError"]
    response = post_event("payment_intent.processing", intent_object(order, status="processing"))
    assert response.status_code == 200
    # localstripe has no processing state: the intent still asks for a payment method.
    assert shopper.get(f"/orders/{order['id']}").json["status"] == "pending"


def refund_on_stripe(localstripe, order, amount=None):
    params = {"payment_intent": intent_object(order)["id"]}
    if amount is not None:
        params["amount"] = amount
    return localstripe.client.v1.refunds.create(params=params)


def test_a_full_refund_made_on_stripe_marks_the_order_refunded(post_event, order, status_of,
                                                                shopper, pay, localstripe,
                                                                staff):
    pay(order)
    post_event("payment_intent.succeeded", intent_object(order))
    made = refund_on_stripe(localstripe, order)
    response = post_event("charge.refunded", charge_object(order))
    assert response.status_code == 200, response.json
    assert status_of(order) == "refunded"
    assert stock(shopper, order) == 8  # refunds do not restock: the goods may be gone
    assert shopper.get(f"/orders/{order['id']}").json["refundedInCents"] == 3000
    [row] = staff.get(f"/orders/{order['id']}/refunds").json
    assert (row["amountInCents"], row["status"]) == (3000, "succeeded")
    assert made.id  # recorded once, by the provider's id
    again = post_event("charge.refunded", charge_object(order))
    assert again.status_code == 200
    assert len(staff.get(f"/orders/{order['id']}/refunds").json) == 1


def test_a_partial_refund_is_recorded_and_leaves_the_order_paid(post_event, order, status_of,
                                                               pay, localstripe, shopper):
    pay(order)
    post_event("payment_intent.succeeded", intent_object(order))
    refund_on_stripe(localstripe, order, 500)
    response = post_event("charge.refunded",
                          charge_object(order, refunded=False, amount_refunded=500))
    assert response.status_code == 200
    assert status_of(order) == "paid"
    assert shopper.get(f"/orders/{order['id']}").json["refundedInCents"] == 500


def test_a_refund_arriving_before_the_success_still_ends_refunded(post_event, order,
                                                                  status_of, pay, localstripe):
    pay(order)
    refund_on_stripe(localstripe, order)
    assert post_event("charge.refunded", charge_object(order)).status_code == 200
    assert status_of(order) == "refunded"
    late = post_event("payment_intent.succeeded", intent_object(order))
    assert late.status_code == 200
    assert status_of(order) == "refunded"


def test_a_failed_refund_is_recorded_and_flagged(post_event, order, pay, localstripe, staff,
                                                 shopper):
    # localstripe's refunds always succeed; Stripe's failure comes as a signed event.
    pay(order)
    post_event("payment_intent.succeeded", intent_object(order))
    made = staff.post(f"/orders/{order['id']}/refunds", json={"amountInCents": 1000})
    assert made.status_code == 201, made.json
    [row] = [r for r in localstripe.refunds(intent_object(order)["id"])]
    failed = {"id": row.id, "object": "refund", "amount": 1000, "status": "failed",
              "failure_reason": "expired_or_canceled_card",
              "payment_intent": intent_object(order)["id"],
              "metadata": {"shop_refund_id": str(made.json["id"])}}
    response = post_event("refund.failed", failed)
    assert response.status_code == 200, response.json
    assert response.json["outcome"] == "refund-failed"
    [refund] = staff.get(f"/orders/{order['id']}/refunds").json
    assert refund["status"] == "failed"
    # The money is still the shop's to give back: it counts as refundable again.
    assert shopper.get(f"/orders/{order['id']}").json["refundedInCents"] == 0
    assert f"/staff/orders/{order['id']}" in staff.get("/staff/orders?attention=1").get_data(
        as_text=True)
    # A late refund.updated saying succeeded does not revive a failed refund.
    post_event("refund.updated", {**failed, "status": "succeeded"})
    assert staff.get(f"/orders/{order['id']}/refunds").json[0]["status"] == "failed"


def dispute_object(order, status="needs_response", **changes) -> dict:
    obj = {"id": "dp_test_1", "object": "dispute", "amount": order["amountInCents"],
           "currency": "usd", "status": status, "reason": "fraudulent", "charge": "ch_test",
           "payment_intent": intent_object(order)["id"],
           "evidence_details": {"due_by": 1_900_000_000}}
    obj.update(changes)
    return obj


def test_a_dispute_is_recorded_shown_and_flagged_until_it_closes(post_event, order, pay,
                                                                 staff, shopper):
    pay(order)
    post_event("payment_intent.succeeded", intent_object(order))
    response = post_event("charge.dispute.created", dispute_object(order))
    assert response.status_code == 200, response.json
    seen = shopper.get(f"/orders/{order['id']}").json
    assert seen["status"] == "paid"
    assert seen["dispute"] == {"status": "needs_response", "reason": "fraudulent",
                               "amountInCents": 3000, "dueBy": "2030-03-17T17:46:40Z"}
    assert f"/staff/orders/{order['id']}" in staff.get("/staff/orders?attention=1").get_data(
        as_text=True)
    post_event("charge.dispute.updated", dispute_object(order, "under_review"))
    # Out of order: a late `needs_response` does not move the dispute back.
    post_event("charge.dispute.created", dispute_object(order), event_id="evt_late")
    assert shopper.get(f"/orders/{order['id']}").json["dispute"]["status"] == "under_review"
    post_event("charge.dispute.closed", dispute_object(order, "won"))
    assert shopper.get(f"/orders/{order['id']}").json["dispute"]["status"] == "won"
    assert f"/staff/orders/{order['id']}" not in staff.get(
        "/staff/orders?attention=1").get_data(as_text=True)


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


def test_payment_events_are_logged_with_order_intent_and_event(post_event, order, caplog,
                                                               pay):
    pay(order)
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
                                                              status_of, pay):
    pay(order)
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
