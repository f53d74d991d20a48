"""Order lists and orders a process keeps (shop.orders.kept) are never older than the database.

The database moves users.orders_version whenever a row an order is shown from is written, by
triggers, whatever wrote it; a kept answer is found under the version read with the user.
"""

import uuid
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text, update

from shop import create_app
from shop.accounts.models import User
from shop.database import utcnow
from shop.extensions import db
from shop.orders.models import Order, OrderItem
from shop.payments.models import Dispute
from tests.helpers import log_in


def add_order(app, user_id: int, product_id: int, *, status: str = "paid", units: int = 2) -> int:
    with app.app_context():
        order = Order(user_id=user_id, status=status, amount_in_cents=300 * units,
                      currency="usd", client_secret=f"secret-{user_id}-{units}",
                      items=[OrderItem(product_id=product_id, name=f"Line {n}",
                                       price_in_cents=300, quantity=1) for n in range(units)])
        db.session.add(order)
        db.session.commit()
        return order.id


def versions(app, *user_ids: int) -> list[int]:
    with app.app_context():
        found = dict(db.session.execute(
            select(User.id, User.orders_version).where(User.id.in_(user_ids))).all())
        db.session.rollback()
        return [found[user_id] for user_id in user_ids]


def add_dispute(order_id: int) -> None:
    db.session.add(Dispute(order_id=order_id, provider_id=f"dp_{order_id}",
                           status="needs_response", reason="fraudulent", amount_in_cents=300,
                           due_by=utcnow() + timedelta(days=7)))


# Every way a row an order is shown from can be written: the ORM, a Core statement, plain SQL.
WRITES = {
    "a new order": lambda ids: db.session.add(Order(
        user_id=ids["owner"], status="pending", amount_in_cents=0, currency="usd")),
    "the ORM changing an order": lambda ids: setattr(
        db.session.get(Order, ids["order"]), "status", "shipped"),
    "a Core UPDATE of an order": lambda ids: db.session.execute(
        update(Order).where(Order.id == ids["order"]).values(payment_error="declined")),
    "SQL deleting an order": lambda ids: db.session.execute(
        text("DELETE FROM orders WHERE id = :id"), {"id": ids["order"]}),
    "a new item": lambda ids: db.session.add(OrderItem(
        order_id=ids["order"], product_id=ids["product"], name="Extra", price_in_cents=1,
        quantity=1)),
    "SQL changing an item": lambda ids: db.session.execute(
        text("UPDATE order_items SET quantity = 5 WHERE order_id = :id"), {"id": ids["order"]}),
    "SQL deleting an item": lambda ids: db.session.execute(
        text("DELETE FROM order_items WHERE order_id = :id"), {"id": ids["order"]}),
    "a new dispute": lambda ids: add_dispute(ids["undisputed"]),
    "SQL changing a dispute": lambda ids: db.session.execute(
        text("UPDATE disputes SET status = 'won' WHERE order_id = :id"), {"id": ids["order"]}),
    "SQL deleting a dispute": lambda ids: db.session.execute(
        text("DELETE FROM disputes WHERE order_id = :id"), {"id": ids["order"]}),
}


@pytest.mark.parametrize("write", WRITES)
def test_every_write_to_an_order_moves_its_owners_version_and_no_one_elses(
        app, make_user, make_product, write):
    owner, other = make_user("ann@example.com"), make_user("bob@example.com")
    product = make_product()
    ids = {"owner": owner, "product": product, "order": add_order(app, owner, product),
           "undisputed": add_order(app, owner, product)}
    add_order(app, other, product)
    with app.app_context():
        add_dispute(ids["order"])
        db.session.commit()
    before = versions(app, owner, other)
    with app.app_context():
        WRITES[write](ids)
        db.session.commit()
    after = versions(app, owner, other)
    assert after[0] > before[0]
    assert after[1] == before[1]


def test_a_kept_answer_changes_the_moment_its_order_does(app, client, api_as, make_product,
                                                         count_queries):
    ann = api_as("ann@example.com")
    log_in(client, "ann@example.com")
    order_id = add_order(app, ann.user_id, make_product())
    ann.get("/orders?limit=1")  # the token's last-used stamp, written once a minute

    def seen() -> tuple[str, str, str]:
        page = client.get("/account/orders").get_data(as_text=True)
        return (ann.get("/orders").json[0]["status"],
                ann.get(f"/orders/{order_id}").json["status"],
                "shipped" if 'data-status="shipped"' in page else "paid")

    assert seen() == ("paid", "paid", "paid")
    with count_queries() as again:  # kept: each request reads only its caller
        assert seen() == ("paid", "paid", "paid")
    assert len(again) == 3, again

    with app.app_context():  # behind the services' back, as psql or another process would
        db.session.execute(text("UPDATE orders SET status = 'shipped' WHERE id = :id"),
                           {"id": order_id})
        db.session.commit()
    assert seen() == ("shipped", "shipped", "shipped")


def test_staff_see_other_users_orders_change_at_once(app, api_as, make_product):
    ann, staff = api_as("ann@example.com"), api_as("sales@example.com", staff=True)
    order_id = add_order(app, ann.user_id, make_product())
    for _ in range(2):  # the second time, anything kept would answer
        assert staff.get("/orders?scope=all").json[0]["status"] == "paid"
        assert staff.get(f"/orders/{order_id}").json["status"] == "paid"
    with app.app_context():
        db.session.execute(update(Order).where(Order.id == order_id).values(status="shipped"))
        db.session.commit()
    assert staff.get("/orders?scope=all").json[0]["status"] == "shipped"
    assert staff.get(f"/orders/{order_id}").json["status"] == "shipped"
    # The owner's answer carries the clientSecret, which staff never see.
    assert staff.get(f"/orders/{order_id}").json["clientSecret"] is None
    assert ann.get(f"/orders/{order_id}").json["clientSecret"] == f"secret-{ann.user_id}-2"


# A change to one of the shopper's orders, picked by its place in her list: (what, index).
CHANGES = st.tuples(
    st.sampled_from(["place", "status", "item", "drop item", "dispute", "dispute won",
                     "delete"]),
    st.integers(0, 5))
# A page of GET /orders as a script might ask for it.
PAGES = st.sampled_from(["/orders", "/orders?limit=2", "/orders?limit=2&offset=2",
                         "/orders?status=paid", "/orders?status=shipped&limit=1"])


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(CHANGES, PAGES), min_size=1, max_size=8))
def test_kept_lists_always_equal_what_a_fresh_process_answers(app, app_config, api_as,
                                                              make_product, steps):
    """Any changes, then any pages: this process (which keeps answers) and a new one (which
    has kept nothing) give the same answer. Each example is a new shopper of the same app."""
    client = api_as(f"kept-{uuid.uuid4().hex[:12]}@example.com")
    product = make_product(stock=10_000)
    fresh = create_app(app_config).test_client()
    headers = {"Authorization": f"Bearer {client.token}"}
    for (change, index), page in steps:
        client.get(page)  # kept now, if it was not already
        with app.app_context():
            orders = list(db.session.scalars(
                select(Order).where(Order.user_id == client.user_id).order_by(Order.id)))
            order = orders[index % len(orders)] if orders else None
            if change == "place" or order is None:
                db.session.add(Order(user_id=client.user_id, status="pending",
                                     amount_in_cents=100, currency="usd",
                                     items=[OrderItem(product_id=product, name="Mug",
                                                      price_in_cents=100, quantity=1)]))
            elif change == "status":
                order.status = {"pending": "paid", "paid": "shipped"}.get(order.status, "paid")
            elif change == "item":
                db.session.add(OrderItem(order_id=order.id, product_id=product,
                                         name="Spoon", price_in_cents=50, quantity=2))
            elif change == "drop item" and order.items:
                db.session.delete(order.items[-1])
            elif change == "dispute" and order.dispute is None:
                add_dispute(order.id)
            elif change == "dispute won":
                db.session.execute(update(Dispute).where(Dispute.order_id == order.id)
                                   .values(status="won"))
            elif change == "delete":
                db.session.delete(order)
            db.session.commit()
        answer = client.get(page)
        assert answer.status_code == 200
        assert answer.json == fresh.get(page, headers=headers).json, (change, page)
