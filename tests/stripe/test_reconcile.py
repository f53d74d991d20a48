"""A missed webhook never leaves a paying customer pending: the return page and
`shop reconcile-payments` settle orders on what Stripe (localstripe) says; partial refunds
go to Stripe with their own keys."""

import pytest
from sqlalchemy import update

from shop.extensions import db
from shop.orders.models import Order
from tests.helpers import log_in
from tests.stripe.helpers import intent_object

pytestmark = pytest.mark.stripe


@pytest.fixture
def place(shopper, make_product):
    pid = make_product(price=1500, stock=50)

    def place_one() -> dict:
        response = shopper.post("/orders/new", json=[str(pid)])
        assert response.status_code == 201, response.json
        return response.json

    return place_one


def intent_id(order) -> str:
    return intent_object(order)["id"]


def test_the_return_page_records_a_success_the_webhook_never_brought(
        client, place, localstripe, shopper):
    order = place()
    localstripe.pay(intent_id(order))  # its webhook goes nowhere
    assert shopper.get(f"/orders/{order['id']}").json["status"] == "pending"
    log_in(client, "shopper@example.com")
    response = client.get(f"/checkout/complete?order={order['id']}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/account/orders/{order['id']}/thank-you")
    assert shopper.get(f"/orders/{order['id']}").json["status"] == "paid"


def test_the_return_page_never_marks_a_mismatched_payment_paid(app, client, place,
                                                                localstripe, shopper):
    order = place()
    with app.app_context():
        db.session.execute(update(Order).where(Order.id == order["id"])
                           .values(amount_in_cents=1400))
        db.session.commit()
    localstripe.pay(intent_id(order))
    log_in(client, "shopper@example.com")
    assert client.get(f"/checkout/complete?order={order['id']}").status_code in (200, 302)
    assert shopper.get(f"/orders/{order['id']}").json["status"] == "pending"


def test_reconcile_settles_pending_orders_and_reports_mismatches(app, runner, place,
                                                                 localstripe, shopper, age):
    paid, unpaid, mismatched, cancelled, old = (place() for _ in range(5))
    for order in (paid, mismatched, old):
        localstripe.pay(intent_id(order))
    localstripe.client.v1.payment_intents.cancel(intent_id(cancelled))
    with app.app_context():
        db.session.execute(update(Order).where(Order.id == mismatched["id"])
                           .values(amount_in_cents=1499))
        db.session.commit()
    age(old["id"], hours=72)

    result = runner.invoke(args=["shop", "reconcile-payments", "--since", "48h"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert f"Order {paid['id']}: changed (pending -> paid)" in lines
    assert f"Order {cancelled['id']}: changed (pending -> cancelled)" in lines
    assert any(line.startswith(f"Order {mismatched['id']}: mismatch (1500 USD paid on")
               for line in lines), lines
    assert lines[-1] == ("Reconciled 4 pending orders placed within 2 days: 2 changed, "
                         "1 mismatched, 1 unchanged, 0 failed.")
    status = {o["id"]: shopper.get(f"/orders/{o['id']}").json["status"]
              for o in (paid, unpaid, mismatched, cancelled, old)}
    assert status == {paid["id"]: "paid", unpaid["id"]: "pending",
                      mismatched["id"]: "pending", cancelled["id"]: "cancelled",
                      old["id"]: "pending"}
    # A second run changes nothing more and still reports the mismatch.
    again = runner.invoke(args=["shop", "reconcile-payments"])
    assert again.exit_code == 0
    assert "1 mismatched" in again.output and "0 changed" in again.output


def test_partial_refunds_reach_stripe_once_each(place, localstripe, staff, shopper):
    order = place()
    localstripe.pay(intent_id(order))
    assert shopper.post("/orders/status-update",
                        json={"orderId": order["id"], "status": "paid"}).status_code == 200
    url = f"/orders/{order['id']}/refunds"
    assert staff.post(url, json={"amountInCents": 500, "reason": "Dented"}).status_code == 201
    assert staff.post(url, json={"amountInCents": 1001}).status_code == 409
    assert staff.post(url, json={}).status_code == 201
    at_stripe = sorted(r.amount for r in localstripe.refunds(intent_id(order)))
    assert at_stripe == [500, 1000]
    current = shopper.get(f"/orders/{order['id']}").json
    assert (current["status"], current["refundedInCents"]) == ("refunded", 1500)
    assert [r["status"] for r in staff.get(url).json] == ["succeeded", "succeeded"]
