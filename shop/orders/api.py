"""JSON routes of orders, exactly as the API contract describes them."""

from typing import cast
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, request, url_for
from flask_login import current_user, login_required

from shop.exceptions import InvalidInput, PermissionDenied
from shop.http import body_as, json_body, query_as
from shop.orders import services
from shop.orders.kept import kept
from shop.orders.schemas import (
    MAX_IDEMPOTENCY_KEY,
    NewOrder,
    OrderLine,
    OrderListQuery,
    StatusUpdate,
    StatusUpdateResult,
    order_json,
    quantities,
)
from shop.orders.status import OrderStatus
from shop.payments.schemas import NewRefund, RefundOut
from shop.schemas import check_text, validate
from shop.shipping.schemas import OrderShipping, ShippingAddress, parse

bp = Blueprint("orders_api", __name__)

__all__ = ["bp", "order_json"]

NEW_ORDER_PROBLEM = ('The body must be a non-empty JSON array of product ids (e.g. ["1", "1", '
                     '"3"]) or cart lines ([{"id": 1, "quantity": 2}]).')


def parse_new_order(body) -> tuple[dict[int, int], OrderShipping | None, ShippingAddress | None]:
    """The cart, and the shipping method and address of the object body if it is one."""
    if not isinstance(body, dict):
        return quantities(validate(NewOrder, body, detail=NEW_ORDER_PROBLEM)), None, None
    if "products" not in body:
        raise InvalidInput("The object body needs 'products': product ids or cart lines.",
                           errors=[{"field": "products", "message": "Required."}])
    units = quantities(validate(NewOrder, body["products"], detail=NEW_ORDER_PROBLEM))
    choice = parse(OrderShipping, body)
    address = None
    if choice.shipping_address is not None:
        address = parse(ShippingAddress, choice.shipping_address, prefix="shippingAddress")
    return units, choice, address


@bp.get("/orders")
@login_required
def list_orders():
    """The caller's orders, newest first; staff may ask for everyone's with ?scope=all."""
    query = query_as(OrderListQuery)
    user = current_user._get_current_object()
    all_users = query.scope == "all"

    def answer() -> tuple[bytes, bool]:
        orders, more = services.list_orders(user, status=query.status, limit=query.limit,
                                            offset=query.offset, all_users=all_users)
        return json_bytes([order_json(o, user.id) for o in orders]), more

    if all_users:  # everyone's orders: no one user's version tells when they change
        body, more = answer()
    else:
        body, more = kept(user, ("orders", query.status, query.limit, query.offset), answer)
    headers = {}
    if more:
        args = {k: v for k, v in request.args.items()}
        args.update(limit=str(query.limit), offset=str(query.offset + query.limit))
        headers["Link"] = f'<{url_for(".list_orders")}?{urlencode(args)}>; rel="next"'
    return json_answer(body, headers=headers)


@bp.get("/orders/demo-cart")
def demo_cart():
    """Cart lines built from real products, ready to post to /orders/new."""
    return [OrderLine(id=pid, name=name, quantity=qty, price_in_cents=price).to_json()
            for pid, name, qty, price in services.demo_cart()]


@bp.get("/orders/<int:order_id>")
@login_required
def get_order(order_id: int):
    """One of the caller's orders (any order, for staff)."""
    user = current_user._get_current_object()

    def answer() -> tuple[bytes, int]:
        order = services.read_order(user, order_id)
        return json_bytes(order_json(order, user.id)), order.user_id

    # Kept only when it is the caller's own: another's order changes under another's version.
    body, _ = kept(user, ("order", order_id), answer, only_if=lambda found: found[1] == user.id)
    return json_answer(body)


def json_bytes(value) -> bytes:
    """The body of the JSON answer for `value`, as the app's JSON provider writes it: what a
    process keeps of an answer (several times smaller than the dicts it came from)."""
    return cast(Response, current_app.json.response(value)).get_data()


def json_answer(body: bytes, status: int = 200, headers: dict | None = None):
    """A JSON answer with a body from json_bytes."""
    return current_app.response_class(body, status, headers, mimetype="application/json")


def _idempotency_key() -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    try:
        return check_text(key, max_length=MAX_IDEMPOTENCY_KEY, required=True, multiline=True)
    except ValueError as error:
        raise InvalidInput(f"Idempotency-Key must have 1 to {MAX_IDEMPOTENCY_KEY} characters.",
                           errors=[{"field": "Idempotency-Key", "message": str(error)}]) from None


@bp.post("/orders/new")
@login_required
def new_order():
    """Place an order from product ids or cart lines; answers 201 with its client secret."""
    key = _idempotency_key()
    units, choice, address = parse_new_order(json_body())
    order, created = services.place_order(
        current_user, units, key,
        shipping_method_id=choice.shipping_method_id if choice else None,
        shipping_address=address)
    headers = {"Location": url_for(".get_order", order_id=order.id)}
    if not created:
        headers["Idempotent-Replayed"] = "true"
    return order_json(order), 201, headers


@bp.post("/orders/status-update")
@login_required
def status_update():
    """Move an order to a new status, as the status table and the caller's role allow."""
    change = body_as(StatusUpdate, 'Send {"orderId": 123, "status": "paid"}.')
    tracking = change.tracking.as_dict() if change.tracking else None
    order = services.change_status(current_user, change.order_id, change.status,
                                   tracking=tracking)
    return StatusUpdateResult(id=order.id, status=OrderStatus(order.status)).to_json()


@bp.get("/orders/<int:order_id>/refunds")
@login_required
def list_refunds(order_id: int):
    """The refunds of an order: for staff, or the order's owner."""
    return [RefundOut.of(r).to_json() for r in services.refunds_of(current_user, order_id)]


@bp.post("/orders/<int:order_id>/refunds")
@login_required
def create_refund(order_id: int):
    """Refund part of an order (staff); without an amount, what is left."""
    asked = body_as(NewRefund, 'Send {"amountInCents": 500, "reason": "…"} (both optional).')
    if not current_user.is_staff:
        # The owner may read the refunds but not make them; others learn nothing.
        services.get_order(current_user, order_id)
        raise PermissionDenied("Only staff can refund an order.")
    refund = services.refund_order(current_user, order_id, asked.amount_in_cents,
                                   reason=asked.reason)
    assert refund is not None  # only a whole-order refund with nothing left gives None
    return RefundOut.of(refund).to_json(), 201
