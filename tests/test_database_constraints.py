"""The database itself refuses rows the code should never write: on SQLite and PostgreSQL.

Each bad row is written with plain SQL, past the models and services, and must be refused by
a CHECK constraint; the same row with a good value is accepted, so the refusal is the rule's.
"""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from shop.extensions import db


@pytest.fixture
def rows(app, make_user, make_product):
    user_id = make_user("owner@example.com")
    product_id = make_product()
    return user_id, product_id


def insert(app, sql: str, **params) -> None:
    with app.app_context():
        try:
            db.session.execute(text(sql), params)
            db.session.commit()
        finally:
            db.session.rollback()


ORDER = ("INSERT INTO orders (user_id, status, amount_in_cents, refunded_in_cents, currency, "
         "created_at, updated_at) VALUES (:user_id, :status, :amount, :refunded, 'usd', "
         "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)")


@pytest.mark.parametrize("status, amount, refunded", [
    ("pending", -500, 0),          # a negative amount
    ("bogus-status", 1000, 0),     # a status outside the table
    ("paid", 1000, -1),            # a negative refund total
    ("paid", 1000, 1001),          # more refunded than was paid
])
def test_the_database_refuses_bad_orders(app, rows, status, amount, refunded):
    user_id, _ = rows
    with pytest.raises(IntegrityError):
        insert(app, ORDER, user_id=user_id, status=status, amount=amount, refunded=refunded)
    # The same row with sane values goes in: the constraint, not something else, refused it.
    insert(app, ORDER, user_id=user_id, status="paid", amount=1000, refunded=1000)


def test_an_amount_past_32_bits_fits(app, rows):
    user_id, _ = rows
    # 100 units of a $300,000 product: 3,000,000,000 cents.
    insert(app, ORDER, user_id=user_id, status="pending", amount=3_000_000_000, refunded=0)
    with app.app_context():
        assert db.session.scalar(text("SELECT max(amount_in_cents) FROM orders")) == 3_000_000_000


@pytest.mark.parametrize("quantity, price", [(0, 100), (-2, 100), (1, -1)])
def test_the_database_refuses_bad_order_items(app, rows, quantity, price):
    user_id, product_id = rows
    insert(app, ORDER, user_id=user_id, status="pending", amount=100, refunded=0)
    with app.app_context():
        order_id = db.session.scalar(text("SELECT max(id) FROM orders"))
    item = ("INSERT INTO order_items (order_id, product_id, name, price_in_cents, quantity) "
            "VALUES (:order_id, :product_id, 'Mug', :price, :quantity)")
    with pytest.raises(IntegrityError):
        insert(app, item, order_id=order_id, product_id=product_id, quantity=quantity,
               price=price)
    insert(app, item, order_id=order_id, product_id=product_id, quantity=1, price=100)


def test_the_database_refuses_an_unknown_role(app):
    user = ("INSERT INTO users (email, password_hash, role, created_at) "
            "VALUES (:email, 'x', :role, CURRENT_TIMESTAMP)")
    with pytest.raises(IntegrityError):
        insert(app, user, email="root@example.com", role="superadmin")
    insert(app, user, email="root@example.com", role="staff")


@pytest.mark.parametrize("table, sql", [
    ("refunds", "INSERT INTO refunds (order_id, amount_in_cents, status, created_by, "
                "created_at, updated_at) VALUES (:order_id, {amount}, '{status}', 'test', "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"),
    ("disputes", "INSERT INTO disputes (order_id, provider_id, amount_in_cents, status, "
                 "created_at, updated_at) VALUES (:order_id, 'dp_1', {amount}, '{status}', "
                 "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"),
])
def test_the_ledger_refuses_bad_amounts_and_statuses(app, rows, table, sql):
    user_id, _ = rows
    insert(app, ORDER, user_id=user_id, status="paid", amount=1000, refunded=0)
    with app.app_context():
        order_id = db.session.scalar(text("SELECT max(id) FROM orders"))
    good = "succeeded" if table == "refunds" else "needs_response"
    for amount, status in ((-5, good), (500, "bogus")):
        with pytest.raises(IntegrityError):
            insert(app, sql.format(amount=amount, status=status), order_id=order_id)
    insert(app, sql.format(amount=500, status=good), order_id=order_id)
