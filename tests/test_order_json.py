"""order_json writes the dict OrderOut declares, without validating it: what it writes is
that shape exactly, with each field read from the order."""

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from shop.database import isoformat_z
from shop.orders.records import DisputeRecord, ItemRecord, OrderRecord
from shop.orders.schemas import OrderOut, order_json
from shop.orders.status import OrderStatus

ids = st.integers(1, 2**31 - 1)
cents = st.integers(0, 2**31 - 1)
text = st.text(max_size=40)
moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2200, 1, 1),
                       timezones=st.just(UTC))
items = st.builds(ItemRecord, product_id=ids, name=text, quantity=st.integers(1, 10_000),
                  price_in_cents=cents)
disputes = st.builds(DisputeRecord, status=st.sampled_from(
    ["needs_response", "under_review", "won", "lost"]), reason=st.none() | text,
    amount_in_cents=cents, due_by=st.none() | moments)
addresses = st.none() | st.dictionaries(st.sampled_from(["name", "line1", "city", "country"]),
                                        text)
orders = st.builds(
    OrderRecord, id=ids, user_id=ids, created_at=moments, items=st.lists(items, max_size=5),
    amount_in_cents=cents, client_secret=st.none() | text,
    status=st.sampled_from([s.value for s in OrderStatus]), currency=st.sampled_from(
        ["usd", "eur", "jpy"]), payment_error=st.none() | text,
    refunded_in_cents=st.none() | cents, dispute=st.none() | disputes,
    shipping_name=st.none() | text, shipping_method_id=st.none() | ids,
    shipping_price_in_cents=cents, shipping_address=addresses,
    tracking=st.none() | st.fixed_dictionaries({"carrier": text, "number": text}))


@settings(max_examples=300, deadline=None, database=None)
@given(order=orders, viewer=st.none() | ids, owner_views=st.booleans())
def test_order_json_is_the_declared_shape_for_any_order(order, viewer, owner_views):
    viewer_id = order.user_id if owner_views else viewer
    written = order_json(order, viewer_id)
    # The declared shape exactly: no field missing (validation), none extra (dropped), every
    # value one OrderOut accepts and writes back the same.
    assert OrderOut.model_validate(written).to_json() == written
    assert (written["id"], written["userId"], written["amountInCents"], written["status"],
            written["currency"], written["paymentError"]) == (
        order.id, order.user_id, order.amount_in_cents, order.status, order.currency,
        order.payment_error)
    assert written["date"] == isoformat_z(order.created_at)
    assert written["products"] == [
        {"id": item.product_id, "name": item.name, "quantity": item.quantity,
         "priceInCents": item.price_in_cents} for item in order.items]
    assert written["clientSecret"] == (order.client_secret if viewer_id == order.user_id
                                       else None)
    assert written["refundedInCents"] == (order.refunded_in_cents or 0)
    dispute = order.dispute
    assert written["dispute"] == (None if dispute is None else {
        "status": dispute.status, "reason": dispute.reason,
        "amountInCents": dispute.amount_in_cents,
        "dueBy": isoformat_z(dispute.due_by) if dispute.due_by else None})
    assert written["shipping"] == (None if order.shipping_name is None else {
        "methodId": order.shipping_method_id, "name": order.shipping_name,
        "priceInCents": order.shipping_price_in_cents, "address": order.shipping_address,
        "tracking": order.tracking})


def test_the_api_answers_the_declared_shape_from_models_and_records(app, shopper, staff,
                                                                     make_product):
    from shop.accounts.models import User
    from shop.extensions import db
    from shop.orders.models import Order
    from shop.orders.services import list_orders

    product_id = make_product(stock=10)
    placed = shopper.post("/orders/new", json=[{"id": product_id, "quantity": 2}])
    assert placed.status_code == 201
    listed = shopper.get("/orders").get_json()
    one = shopper.get(f"/orders/{placed.get_json()['id']}").get_json()
    assert listed == [one] and one["clientSecret"]
    # Staff see the order without its clientSecret, in the list of everyone's and alone.
    seen_by_staff = staff.get(f"/orders/{one['id']}").get_json()
    assert seen_by_staff == {**one, "clientSecret": None}
    assert staff.get("/orders?scope=all").get_json() == [seen_by_staff]
    with app.app_context():
        model = db.session.get(Order, one["id"])
        record = list_orders(db.session.get(User, shopper.user_id))[0][0]
        for order in (model, record):
            assert order_json(order, shopper.user_id) == one
