"""Partial refunds through POST /orders/{id}/refunds, the status table and the staff page,
on the offline gateway (the Stripe side is in tests/stripe/test_refunds_stripe.py)."""

import re

import pytest

from shop.extensions import db
from shop.payments.models import OfflinePaymentIntent
from tests.helpers import csrf_token_from, log_in

VISA = "4242 4242 4242 4242"
ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


@pytest.fixture
def paid_order(shopper, make_product):
    """A paid order of 3 × 1000 cents."""
    pid = make_product(price=1000, stock=10)
    order = shopper.post("/orders/new", json=[{"id": pid, "quantity": 3}]).json
    paid = shopper.post("/payments/test/confirm",
                        json={"clientSecret": order["clientSecret"], "cardNumber": VISA})
    assert paid.status_code == 200 and paid.json["status"] == "paid"
    return order


def refunded_at_gateway(app, order) -> int:
    with app.app_context():
        return db.session.scalar(db.select(OfflinePaymentIntent.amount_refunded).where(
            OfflinePaymentIntent.client_secret == order["clientSecret"]))


def test_partial_refunds_add_up_until_the_order_is_refunded(app, staff, shopper, paid_order):
    url = f"/orders/{paid_order['id']}/refunds"
    first = staff.post(url, json={"amountInCents": 1000, "reason": "One mug arrived broken"})
    assert first.status_code == 201, first.json
    assert set(first.json) == {"id", "amountInCents", "status", "reason", "createdAt"}
    assert (first.json["amountInCents"], first.json["status"], first.json["reason"]) == (
        1000, "succeeded", "One mug arrived broken")
    assert ISO_Z.match(first.json["createdAt"])
    order = shopper.get(f"/orders/{paid_order['id']}").json
    assert (order["status"], order["refundedInCents"]) == ("paid", 1000)
    assert refunded_at_gateway(app, paid_order) == 1000

    # Without an amount: what is left.
    rest = staff.post(url, json={})
    assert rest.status_code == 201 and rest.json["amountInCents"] == 2000
    order = shopper.get(f"/orders/{paid_order['id']}").json
    assert (order["status"], order["refundedInCents"]) == ("refunded", 3000)
    assert refunded_at_gateway(app, paid_order) == 3000
    # The owner reads the list as staff does.
    assert [r["amountInCents"] for r in shopper.get(url).json] == [1000, 2000]
    assert staff.get(url).json == shopper.get(url).json


def test_a_refund_past_what_is_left_is_409_and_changes_nothing(app, staff, shopper,
                                                               paid_order):
    url = f"/orders/{paid_order['id']}/refunds"
    assert staff.post(url, json={"amountInCents": 2500}).status_code == 201
    too_much = staff.post(url, json={"amountInCents": 501})
    assert too_much.status_code == 409, too_much.json
    assert too_much.json["refundableInCents"] == 500
    huge = staff.post(url, json={"amountInCents": 10**30})
    assert huge.status_code in (400, 409)
    assert shopper.get(f"/orders/{paid_order['id']}").json["refundedInCents"] == 2500
    assert refunded_at_gateway(app, paid_order) == 2500


@pytest.mark.parametrize("body", [{"amountInCents": 0}, {"amountInCents": -5},
                                  {"amountInCents": "ten"}, {"amountInCents": 1.5},
                                  {"reason": 5}, {"reason": "bad\x00text"}, [1]])
def test_bad_refund_bodies_are_400(staff, paid_order, body):
    response = staff.post(f"/orders/{paid_order['id']}/refunds", json=body)
    assert response.status_code == 400, response.json
    assert response.headers["Content-Type"] == "application/problem+json"
    assert staff.get(f"/orders/{paid_order['id']}/refunds").json == []


def test_an_unpaid_order_cannot_be_refunded(staff, shopper, make_product):
    pid = make_product(price=1000)
    order = shopper.post("/orders/new", json=[pid]).json
    response = staff.post(f"/orders/{order['id']}/refunds", json={"amountInCents": 100})
    assert response.status_code == 409
    assert (response.json["from"], response.json["to"]) == ("pending", "refunded")


def test_only_staff_refund_and_only_the_owner_or_staff_read(api_as, staff, shopper,
                                                            paid_order):
    url = f"/orders/{paid_order['id']}/refunds"
    assert shopper.post(url, json={"amountInCents": 100}).status_code == 403
    stranger = api_as("stranger@example.com")
    assert stranger.post(url, json={"amountInCents": 100}).status_code == 404
    assert stranger.get(url).status_code == 404
    assert staff.get("/orders/999999/refunds").status_code == 404
    assert staff.post("/orders/999999/refunds", json={}).status_code == 404
    assert shopper.client.get(url).status_code == 401


def test_status_update_to_refunded_refunds_what_is_left(app, staff, shopper, paid_order):
    staff.post(f"/orders/{paid_order['id']}/refunds", json={"amountInCents": 700})
    response = staff.post("/orders/status-update",
                          json={"orderId": paid_order["id"], "status": "refunded"})
    assert response.status_code == 200 and response.json["status"] == "refunded"
    refunds = staff.get(f"/orders/{paid_order['id']}/refunds").json
    assert [r["amountInCents"] for r in refunds] == [700, 2300]
    assert refunded_at_gateway(app, paid_order) == 3000


def test_the_staff_page_shows_the_ledger_and_refunds_from_its_form(client, make_user, staff,
                                                                   paid_order, shopper):
    make_user("clerk@example.com", staff=True)
    log_in(client, "clerk@example.com")
    page = client.get(f"/staff/orders/{paid_order['id']}").get_data(as_text=True)
    assert "Left to refund" in page and "$30.00" in page and "Amount to refund" in page
    token = csrf_token_from(client)
    response = client.post(f"/staff/orders/{paid_order['id']}/refund",
                           data={"csrf_token": token, "amount": "12.50", "reason": "Late"})
    assert response.status_code == 302
    page = client.get(f"/staff/orders/{paid_order['id']}").get_data(as_text=True)
    assert "Refunded $12.50 (succeeded)" in page
    assert 'data-refund-status="succeeded"' in page and "$17.50" in page
    assert shopper.get(f"/orders/{paid_order['id']}").json["refundedInCents"] == 1250
    bad = client.post(f"/staff/orders/{paid_order['id']}/refund",
                      data={"csrf_token": token, "amount": "12.555"})
    assert bad.status_code == 302
    assert "is not an amount to refund" in client.get(
        f"/staff/orders/{paid_order['id']}").get_data(as_text=True)
    assert shopper.get(f"/orders/{paid_order['id']}").json["refundedInCents"] == 1250
