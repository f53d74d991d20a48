"""Two refunds of the same order at once, on PostgreSQL: together they never pass its amount."""

import pytest

from tests.helpers import ApiClient
from tests.test_races import on_postgres, together  # noqa: F401  (the autouse PostgreSQL check)

pytestmark = [pytest.mark.postgres, pytest.mark.real_commits]

ROUNDS = 10
VISA = "4242 4242 4242 4242"


def test_two_refunds_at_once_never_refund_more_than_was_paid(app, api_as, make_product):
    pid = make_product(price=1500, stock=1000)
    shopper = api_as("buyer@example.com")
    staff = api_as("clerk@example.com", staff=True)
    other_desk = ApiClient(app.test_client(), staff.token, staff.user_id)
    for _ in range(ROUNDS):
        order = shopper.post("/orders/new", json=[{"id": pid, "quantity": 2}]).json
        assert shopper.post("/payments/test/confirm", json={
            "clientSecret": order["clientSecret"], "cardNumber": VISA}).status_code == 200
        url = f"/orders/{order['id']}/refunds"
        first, second = together(
            lambda url=url: staff.post(url, json={"amountInCents": 2000}),
            lambda url=url: other_desk.post(url, json={"amountInCents": 2000}),
        )
        assert sorted([first.status_code, second.status_code]) == [201, 409]
        current = shopper.get(f"/orders/{order['id']}").json
        assert (current["status"], current["refundedInCents"]) == ("paid", 2000)
        assert [r["amountInCents"] for r in staff.get(url).json] == [2000]
