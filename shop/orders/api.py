"""JSON routes of orders, exactly as the API contract describes them."""

from urllib.parse import urlencode

from flask import Blueprint, request, url_for
from flask_login import current_user, login_required

from shop.database import MAX_INTEGER, isoformat_z
from shop.exceptions import InvalidInput
from shop.http import int_arg, json_body, strict_int
from shop.orders import services
from shop.orders.models import Order
from shop.orders.status import parse_status
from shop.shipping.schemas import OrderShipping, ShippingAddress, Tracking, parse

bp = Blueprint("orders_api", __name__)

MAX_IDEMPOTENCY_KEY = 255


def order_json(order: Order) -> dict:
    return {
        "id": order.id,
        "userId": order.user_id,
        "date": isoformat_z(order.created_at),
        "products": [
            {"id": item.product_id, "name": item.name, "quantity": item.quantity,
             "priceInCents": item.price_in_cents}
            for item in order.items
        ],
        "amountInCents": order.amount_in_cents,
        "clientSecret": order.client_secret,
        "status": order.status,
        "currency": order.currency,
        "paymentError": order.payment_error,
        "shipping": shipping_json(order),
    }


def shipping_json(order: Order) -> dict | None:
    """How the order ships, as chosen when it was placed; None for orders from before."""
    if order.shipping_name is None:
        return None
    return {"methodId": order.shipping_method_id, "name": order.shipping_name,
            "priceInCents": order.shipping_price_in_cents, "address": order.shipping_address,
            "tracking": order.tracking}


def parse_new_order(body) -> tuple[dict[int, int], OrderShipping | None, ShippingAddress | None]:
    """The cart, and the shipping method and address of the object body if it is one."""
    if not isinstance(body, dict):
        return parse_cart(body), None, None
    if "products" not in body:
        raise InvalidInput("The object body needs 'products': product ids or cart lines.",
                           errors=[{"field": "products", "message": "Required."}])
    quantities = parse_cart(body["products"])
    choice = parse(OrderShipping, body)
    address = None
    if choice.shipping_address is not None:
        address = parse(ShippingAddress, choice.shipping_address, prefix="shippingAddress")
    return quantities, choice, address


def parse_cart(body) -> dict[int, int]:
    """Units per product id from either accepted body: ["1", "1", "3"] or [{"id", "quantity"}]."""
    if not isinstance(body, list) or not body:
        raise InvalidInput("The body must be a non-empty JSON array of product ids "
                           "(e.g. [\"1\", \"1\", \"3\"]) or cart lines ([{\"id\": 1, "
                           "\"quantity\": 2}]).")
    quantities: dict[int, int] = {}
    errors = []
    for index, entry in enumerate(body):
        if isinstance(entry, dict):
            product_id = strict_int(entry.get("id"))
            quantity = strict_int(entry.get("quantity", 1))
            if quantity is None or quantity < 1:
                errors.append({"field": f"[{index}].quantity",
                               "message": "Quantity must be a positive whole number."})
                continue
        else:
            product_id, quantity = strict_int(entry), 1
        if product_id is None or product_id < 1:
            errors.append({"field": f"[{index}]" + (".id" if isinstance(entry, dict) else ""),
                           "message": f"{_short(entry)} is not a product id."})
            continue
        quantities[product_id] = quantities.get(product_id, 0) + quantity
    if errors:
        raise InvalidInput("Some entries are not product ids or quantities.", errors=errors)
    return quantities


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


@bp.get("/orders")
@login_required
def list_orders():
    """The caller's orders, newest first; staff may ask for everyone's with ?scope=all."""
    status_arg = request.args.get("status")
    status = parse_status(status_arg) if status_arg is not None else None
    limit = int_arg("limit", minimum=1, maximum=services.MAX_PAGE_SIZE)
    offset = int_arg("offset", default=0, minimum=0, maximum=MAX_INTEGER)
    scope = request.args.get("scope", "mine")
    if scope not in {"mine", "all"}:
        raise InvalidInput("'scope' must be 'mine' or 'all'.",
                           errors=[{"field": "scope", "message": "Use 'mine' or 'all'."}])
    orders, more = services.list_orders(current_user, status=status, limit=limit, offset=offset,
                                        all_users=scope == "all")
    headers = {}
    if more:
        args = {k: v for k, v in request.args.items()}
        args.update(limit=str(limit), offset=str(offset + limit))
        headers["Link"] = f'<{url_for(".list_orders")}?{urlencode(args)}>; rel="next"'
    return [order_json(o) for o in orders], 200, headers


@bp.get("/orders/demo-cart")
def demo_cart():
    """Cart lines built from real products, ready to post to /orders/new."""
    return [{"id": pid, "name": name, "quantity": qty, "priceInCents": price}
            for pid, name, qty, price in services.demo_cart()]


@bp.get("/orders/<int:order_id>")
@login_required
def get_order(order_id: int):
    """One of the caller's orders (any order, for staff)."""
    return order_json(services.get_order(current_user, order_id))


@bp.post("/orders/new")
@login_required
def new_order():
    """Place an order from product ids or cart lines; answers 201 with its client secret."""
    key = request.headers.get("Idempotency-Key")
    if key is not None and not 1 <= len(key.strip()) <= MAX_IDEMPOTENCY_KEY:
        raise InvalidInput(f"Idempotency-Key must have 1 to {MAX_IDEMPOTENCY_KEY} characters.")
    quantities, choice, address = parse_new_order(json_body())
    order, created = services.place_order(
        current_user, quantities, key.strip() if key else None,
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
    body = json_body()
    if not isinstance(body, dict):
        raise InvalidInput('The body must be an object: {"orderId": 123, "status": "paid"}.')
    errors = []
    order_id = strict_int(body.get("orderId"))
    if order_id is None or order_id < 1:
        errors.append({"field": "orderId", "message": "Required: the order's id, a number."})
    if "status" not in body:
        errors.append({"field": "status", "message": "Required."})
    if errors:
        raise InvalidInput("orderId and status are required.", errors=errors)
    status = parse_status(body["status"])
    tracking = None
    if body.get("tracking") is not None:
        tracking = parse(Tracking, body["tracking"], prefix="tracking")
    order = services.change_status(current_user, order_id, status,
                                   tracking=tracking.as_dict() if tracking else None)
    return {"id": order.id, "status": order.status}
