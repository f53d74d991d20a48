"""Order lists read as records: the same orders, filters and pages as the ORM gave."""

from datetime import timedelta

import pytest

from shop.accounts import services as accounts
from shop.database import utcnow
from shop.exceptions import NotFound
from shop.extensions import db
from shop.orders import services
from shop.orders.models import Order, OrderItem
from shop.orders.status import OrderStatus
from shop.payments.models import Dispute


def add_orders(app, make_user, make_product, spec) -> list[int]:
    """spec: [(email, status, units)], placed a minute apart, oldest first; their ids."""
    product_id = make_product()
    users = {email: make_user(email) for email in {email for email, *_ in spec}}
    ids = []
    with app.app_context():
        start = utcnow() - timedelta(days=1)
        for n, (email, status, units) in enumerate(spec):
            order = Order(user_id=users[email], status=status, amount_in_cents=100 * units,
                          currency="usd", created_at=start + timedelta(minutes=n),
                          items=[OrderItem(product_id=product_id, name=f"Line {k}",
                                           price_in_cents=100, quantity=1)
                                 for k in range(units)])
            db.session.add(order)
            db.session.flush()
            ids.append(order.id)
        db.session.commit()
    return ids


def test_a_shoppers_list_is_hers_newest_first_with_items_and_model_properties(
        app, make_user, make_product):
    ids = add_orders(app, make_user, make_product, [
        ("ann@example.com", "pending", 2), ("bob@example.com", "paid", 1),
        ("ann@example.com", "paid", 3)])
    with app.app_context():
        ann = accounts.user_by_email("ann@example.com")
        orders, more = services.list_orders(ann)
        assert [o.id for o in orders] == [ids[2], ids[0]] and not more
        assert [item.name for item in orders[0].items] == ["Line 0", "Line 1", "Line 2"]
        assert orders[0].order_status is OrderStatus.PAID
        assert orders[0].items[0].line_total_in_cents == 100
        assert orders[0].created_at.tzinfo is not None

        paid, _ = services.list_orders(ann, status=OrderStatus.PAID)
        assert [o.id for o in paid] == [ids[2]]
        page, more = services.list_orders(ann, limit=1)
        assert [o.id for o in page] == [ids[2]] and more
        page, more = services.list_orders(ann, limit=1, offset=1)
        assert [o.id for o in page] == [ids[0]] and not more


def test_staff_search_by_email_takes_percent_and_underscore_literally(
        app, make_user, make_product):
    ids = add_orders(app, make_user, make_product, [
        ("a_b@example.com", "paid", 1), ("axb@example.com", "paid", 1),
        ("c%d@example.com", "paid", 1), ("cxd@example.com", "paid", 1)])
    make_user("sales@example.com", staff=True)
    with app.app_context():
        staff = accounts.user_by_email("sales@example.com")
        found, _ = services.list_orders(staff, all_users=True, email=" A_B@")
        assert [(o.id, o.user.email) for o in found] == [(ids[0], "a_b@example.com")]
        found, _ = services.list_orders(staff, all_users=True, email="c%d")
        assert [o.id for o in found] == [ids[2]]
        everyone, _ = services.list_orders(staff, all_users=True)
        assert [o.id for o in everyone] == ids[::-1]


def test_one_order_read_as_a_record_is_the_owners_and_the_staffs_only(
        app, make_user, make_product):
    [order_id] = add_orders(app, make_user, make_product, [("ann@example.com", "paid", 2)])
    make_user("bob@example.com")
    make_user("sales@example.com", staff=True)
    with app.app_context():
        for email in ("ann@example.com", "sales@example.com"):
            order = services.read_order(accounts.user_by_email(email), order_id)
            assert order.id == order_id and [i.name for i in order.items] == ["Line 0", "Line 1"]
            assert order.order_status is OrderStatus.PAID
        for missing in (order_id, order_id + 1000, 2**40):
            who = "bob@example.com" if missing == order_id else "ann@example.com"
            with pytest.raises(NotFound):
                services.read_order(accounts.user_by_email(who), missing)


def test_an_orders_dispute_comes_with_it_in_lists_and_reads(app, make_user, make_product):
    ids = add_orders(app, make_user, make_product, [("ann@example.com", "paid", 1),
                                                    ("ann@example.com", "paid", 1)])
    with app.app_context():
        db.session.add(Dispute(order_id=ids[1], provider_id="dp_1", status="needs_response",
                               reason="fraudulent", amount_in_cents=100))
        db.session.commit()
        ann = accounts.user_by_email("ann@example.com")
        orders, _ = services.list_orders(ann)
        assert [o.dispute and o.dispute.status for o in orders] == ["needs_response", None]
        assert orders[0].dispute.is_open and orders[0].dispute.reason == "fraudulent"
        assert services.read_order(ann, ids[1]).dispute.amount_in_cents == 100
        assert services.read_order(ann, ids[0]).dispute is None
    make_user("sales@example.com", staff=True)
    with app.app_context():
        staff = accounts.user_by_email("sales@example.com")
        flagged, _ = services.list_orders(staff, all_users=True, needs_attention=True, limit=5)
        assert [o.id for o in flagged] == [ids[1]]
