"""Two requests about the same row at once, on PostgreSQL: never a 5xx, never a state the
status table forbids.

Each race is run for ROUNDS rounds with real threads, real transactions and real row locks.
Before the lock order (order → payment → product) was kept everywhere, paying with the test
card while cancelling deadlocked; deleting a lead twice, or moving and deleting it, gave 500s.
"""

import threading
from collections import Counter

import pytest
from sqlalchemy import select

from shop.catalog.models import Product
from shop.extensions import db
from shop.leads.models import Lead
from shop.orders.models import Order
from shop.payments.models import OfflinePaymentIntent
from tests.helpers import TEST_DATABASE_URL, ApiClient, csrf_token_from, log_in, need

pytestmark = [pytest.mark.postgres, pytest.mark.real_commits]

ROUNDS = 20
VISA = "4242 4242 4242 4242"
STOCK = 1000
UNITS = 2


@pytest.fixture(autouse=True)
def on_postgres():
    need(bool(TEST_DATABASE_URL and TEST_DATABASE_URL.startswith("postgresql")),
         "race tests need PostgreSQL (SHOP_TEST_DATABASE_URL)")


def together(*calls) -> list:
    """Start every call at the same moment, each in its own thread; returns their responses."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        barrier.wait(timeout=30)
        results[index] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a request never finished"
    return results


def second_client(app, api: ApiClient) -> ApiClient:
    """The same user on another connection, as a second browser tab or script would be."""
    return ApiClient(app.test_client(), api.token, api.user_id)


def server_errors(responses) -> list[str]:
    return [f"{r.status_code} {r.get_data(as_text=True)[:300]}"
            for r in responses if r.status_code >= 500]


@pytest.fixture
def shop(app, api_as, make_product):
    """A product with plenty of stock, a shopper and a staff member."""
    product_id = make_product(stock=STOCK)
    return product_id, api_as("racer@example.com"), api_as("clerk@example.com", staff=True)


def place(shopper: ApiClient, product_id: int) -> dict:
    response = shopper.post("/orders/new", json=[{"id": product_id, "quantity": UNITS}])
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def order_state(app, order_id: int) -> tuple[str, str]:
    """(order status, offline intent status) as committed."""
    with app.app_context():
        order = db.session.get(Order, order_id)
        intent = db.session.get(OfflinePaymentIntent, order.payment_intent_id)
        return order.status, intent.status


def stock_of(app, product_id: int) -> int:
    with app.app_context():
        return db.session.get(Product, product_id).stock


def test_paying_with_the_test_card_while_cancelling(app, shop):
    product_id, shopper, _ = shop
    other_tab = second_client(app, shopper)
    errors, finals = [], Counter()
    for _ in range(ROUNDS):
        order = place(shopper, product_id)
        pay, cancel = together(
            lambda order=order: shopper.post("/payments/test/confirm",
                                 json={"clientSecret": order["clientSecret"], "cardNumber": VISA}),
            lambda order=order: other_tab.post("/orders/status-update",
                                   json={"orderId": order["id"], "status": "cancelled"}),
        )
        errors += server_errors([pay, cancel])
        status, intent_status = order_state(app, order["id"])
        finals[status] += 1
        # Exactly one of the two won, and the loser was told so with a 409.
        if status == "paid":
            assert (pay.status_code, cancel.status_code, intent_status) == (200, 409, "succeeded")
        else:
            assert status == "cancelled"
            assert (pay.status_code, cancel.status_code, intent_status) == (409, 200, "canceled")
    assert errors == []
    # Stock came back once for each cancelled order, and never for a paid one.
    assert stock_of(app, product_id) == STOCK - UNITS * finals["paid"]
    print(f"\npay vs cancel: {ROUNDS} rounds, 0 5xx, final states {dict(finals)}")


def owner_cancel(app, shopper: ApiClient, door: str):
    """How the owner cancels: the JSON API, or the button on the order's page."""
    if door == "api":
        return lambda order_id: shopper.post("/orders/status-update",
                                             json={"orderId": order_id, "status": "cancelled"})
    browser = app.test_client()
    log_in(browser, "racer@example.com")
    token = csrf_token_from(browser)
    return lambda order_id: browser.post(f"/account/orders/{order_id}/cancel",
                                         data={"csrf_token": token})


@pytest.mark.parametrize("door", ["api", "page"])
@pytest.mark.parametrize("staff_target", ["paid", "cancelled"])
def test_a_staff_transition_while_the_owner_cancels(app, shop, staff_target, door):
    product_id, shopper, staff = shop
    cancel = owner_cancel(app, shopper, door)
    errors, finals = [], Counter()
    for _ in range(ROUNDS):
        order = place(shopper, product_id)
        by_staff, by_owner = together(
            lambda order=order: staff.post("/orders/status-update",
                               json={"orderId": order["id"], "status": staff_target}),
            lambda order=order: cancel(order["id"]),
        )
        errors += server_errors([by_staff, by_owner])
        status, intent_status = order_state(app, order["id"])
        finals[status] += 1
        assert status in {staff_target, "cancelled"}
        # Marking paid by hand cancels the open intent too: it can never be paid twice.
        assert intent_status == "canceled"
        # The page answers with a redirect whatever happened (and flashes why).
        owner_code = by_owner.status_code if door == "api" else None
        if staff_target == "cancelled":
            # Asking for the status the order already has is no change, and no second return
            # of its stock.
            assert (by_staff.status_code, owner_code) == (200, 200 if door == "api" else None)
        elif status == "paid":
            assert (by_staff.status_code, owner_code) == (200, 409 if door == "api" else None)
        else:
            assert (by_staff.status_code, owner_code) == (409, 200 if door == "api" else None)
        if door == "page":
            assert by_owner.status_code == 302
    assert errors == []
    # Stock came back exactly once for each cancelled order.
    assert stock_of(app, product_id) == STOCK - UNITS * finals["paid"]
    print(f"\nstaff {staff_target} vs owner cancel ({door}): {ROUNDS} rounds, 0 5xx, "
          f"{dict(finals)}")


@pytest.fixture
def board(app, shop):
    """Two columns; the first holds a few leads that stay for the whole test."""
    staff = shop[2]
    columns = [staff.post("/leads/statuses", json={"name": name}).get_json()["id"]
               for name in ("New", "Won")]
    for n in range(3):
        assert staff.post("/leads", json={"name": f"Keeper {n}",
                                          "statusId": columns[0]}).status_code == 201
    return staff, columns


def new_lead(staff: ApiClient, status_id: int) -> int:
    response = staff.post("/leads", json={"name": "Racer", "statusId": status_id, "position": 2})
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()["id"]


def assert_columns_numbered(app, columns) -> None:
    """Every column's positions run 1..n, whatever the races did."""
    with app.app_context():
        for status_id in columns:
            positions = list(db.session.scalars(
                select(Lead.position).where(Lead.status_id == status_id).order_by(Lead.position)))
            assert positions == list(range(1, len(positions) + 1)), (status_id, positions)


def lead_exists(app, lead_id: int) -> bool:
    with app.app_context():
        return db.session.get(Lead, lead_id) is not None


def test_deleting_the_same_lead_twice(app, board):
    staff, columns = board
    other = second_client(app, staff)
    errors, outcomes = [], Counter()
    for _ in range(ROUNDS):
        lead_id = new_lead(staff, columns[0])
        first, second = together(lambda lead_id=lead_id: staff.delete(f"/leads/{lead_id}"),
                                 lambda lead_id=lead_id: other.delete(f"/leads/{lead_id}"))
        errors += server_errors([first, second])
        outcomes[tuple(sorted((first.status_code, second.status_code)))] += 1
        assert sorted((first.status_code, second.status_code)) == [204, 404]
        assert not lead_exists(app, lead_id)
        assert_columns_numbered(app, columns)
    assert errors == []
    print(f"\ndelete vs delete: {ROUNDS} rounds, 0 5xx, {dict(outcomes)}")


def test_moving_a_lead_while_it_is_deleted(app, board):
    staff, columns = board
    other = second_client(app, staff)
    errors, outcomes = [], Counter()
    for _ in range(ROUNDS):
        lead_id = new_lead(staff, columns[0])
        move, delete = together(
            lambda lead_id=lead_id: staff.patch(f"/leads/{lead_id}", json={"statusId": columns[1],
                                                           "position": 1}),
            lambda lead_id=lead_id: other.delete(f"/leads/{lead_id}"),
        )
        errors += server_errors([move, delete])
        outcomes[(move.status_code, delete.status_code)] += 1
        # Moved then deleted, or deleted first and the move finds nothing to move.
        assert (move.status_code, delete.status_code) in {(200, 204), (404, 204)}
        assert not lead_exists(app, lead_id)
        assert_columns_numbered(app, columns)
    assert errors == []
    print(f"\nmove vs delete: {ROUNDS} rounds, 0 5xx, {dict(outcomes)}")


def test_editing_a_lead_while_it_is_deleted(app, board):
    staff, columns = board
    other = second_client(app, staff)
    errors, outcomes = [], Counter()
    for _ in range(ROUNDS):
        lead_id = new_lead(staff, columns[0])
        edit, delete = together(
            lambda lead_id=lead_id: staff.patch(f"/leads/{lead_id}", json={"company": "Acme"}),
            lambda lead_id=lead_id: other.delete(f"/leads/{lead_id}"),
        )
        errors += server_errors([edit, delete])
        outcomes[(edit.status_code, delete.status_code)] += 1
        assert (edit.status_code, delete.status_code) in {(200, 204), (404, 204)}
        assert not lead_exists(app, lead_id)
        assert_columns_numbered(app, columns)
    assert errors == []
    print(f"\nedit vs delete: {ROUNDS} rounds, 0 5xx, {dict(outcomes)}")
