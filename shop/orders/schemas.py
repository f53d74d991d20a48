"""The shapes of the orders API: bodies, answers and query arguments, each declared once."""

from typing import Annotated, Any, Literal

from flask_login import current_user
from pydantic import BeforeValidator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from shop.database import MAX_INTEGER, isoformat_z
from shop.exceptions import InvalidInput
from shop.orders.models import Order
from shop.orders.records import OrderRecord
from shop.orders.services import MAX_PAGE_SIZE, MAX_UNITS_PER_PRODUCT
from shop.orders.status import OrderStatus, parse_status
from shop.payments.schemas import DisputeOut
from shop.schemas import Cents, Integer, Schema, Timestamp
from shop.shipping.schemas import NewOrderWithShipping, OrderShippingOut, Tracking

MAX_IDEMPOTENCY_KEY = 255


def _status(value: object) -> OrderStatus:
    try:
        return parse_status(value)
    except InvalidInput as error:
        message = error.errors[0]["message"] if error.errors else error.detail
        allowed = {"allowed": error.extra["allowed"]}
        raise PydanticCustomError("order_status", message, allowed) from None


# A status a client names, in any case ("Pending" is pending); the list comes from status.py.
StatusName = Annotated[OrderStatus, BeforeValidator(_status), WithJsonSchema({
    "type": "string", "description": "One of: " + ", ".join(s.value for s in OrderStatus)
    + " (case-insensitive)."})]

# The seed types product ids as strings; numbers are accepted too.
ProductRef = Integer(1, None, text=True, description="A product's id, one unit")


# --- bodies -----------------------------------------------------------------------------------

class CartLineInput(Schema):
    """A cart line of /orders/demo-cart posted back; any name or priceInCents is ignored."""

    id: Integer(1, None, text=True, description="A product's id")
    quantity: Integer(1, MAX_UNITS_PER_PRODUCT, text=True) = 1


def _entry_as_line(value: object) -> object:
    return value if isinstance(value, dict) else {"id": value}


# One entry of the body: a product id (one unit), or a cart line.
CartEntry = Annotated[CartLineInput, BeforeValidator(
    _entry_as_line, json_schema_input_type=ProductRef | CartLineInput)]
NewOrder = Annotated[list[CartEntry], Field(min_length=1)]
# The body of POST /orders/new: the seed's array, or an object that adds shipping.
NewOrderBody = NewOrder | NewOrderWithShipping


def quantities(entries: list[CartLineInput]) -> dict[int, int]:
    """Units per product id, adding up every entry that names the same product."""
    units: dict[int, int] = {}
    for line in entries:
        units[line.id] = units.get(line.id, 0) + line.quantity
    return units


class StatusUpdate(Schema):
    """Body of POST /orders/status-update."""

    order_id: Integer(1, None, text=True, description="The order's id")
    status: StatusName
    tracking: Tracking | None = None  # only with "shipped"


class OrderListQuery(Schema):
    """Query arguments of GET /orders."""

    status: StatusName | None = None
    limit: Integer(1, MAX_PAGE_SIZE, text=True) | None = None
    offset: Integer(0, MAX_INTEGER, text=True) = 0
    scope: Literal["mine", "all"] = "mine"


# --- answers ----------------------------------------------------------------------------------

class OrderLine(Schema):
    """A product of an order (name and price as they were when it was placed), or a cart line."""

    id: int
    name: str
    quantity: Annotated[int, Field(ge=1)]
    price_in_cents: Cents


class OrderOut(Schema):
    """An Order, as the contract shows it."""

    id: int
    user_id: int
    date: Timestamp
    products: list[OrderLine]
    amount_in_cents: Cents
    client_secret: str | None
    status: OrderStatus
    currency: str
    payment_error: str | None
    refunded_in_cents: Cents
    dispute: DisputeOut | None
    shipping: OrderShippingOut | None


class StatusUpdateResult(Schema):
    """The answer to a status change."""

    id: int
    status: OrderStatus


def viewer() -> int | None:
    """The id of the user this request answers to, if one is logged in."""
    user = current_user._get_current_object()  # one lookup, not one per attribute
    return user.id if user is not None and user.is_authenticated else None


# A status as the API writes it, whether the order holds it as text (a record) or as an
# OrderStatus: a lookup, where OrderStatus(...) would cost more than the rest of the field.
STATUS_TEXT = {status.value: status.value for status in OrderStatus}


def order_json(order: Order | OrderRecord, viewer_id: int | None = None) -> dict[str, Any]:
    """An order as the API answers it to `viewer_id` (default: the current user). Only the
    order's owner receives its clientSecret; anyone else, staff included, gets null.

    OrderOut declares the shape (and /openapi.json shows it); this writes that dict without
    validating values the database already holds, which costs several times more than the
    rest of an order list. tests/test_order_json.py holds what it writes to OrderOut.
    """
    if viewer_id is None:
        viewer_id = viewer()
    dispute = order.dispute
    return {
        "id": order.id,
        "userId": order.user_id,
        "date": isoformat_z(order.created_at),
        "products": [{"id": item.product_id, "name": item.name, "quantity": item.quantity,
                      "priceInCents": item.price_in_cents} for item in order.items],
        "amountInCents": order.amount_in_cents,
        "clientSecret": order.client_secret if viewer_id == order.user_id else None,
        "status": STATUS_TEXT[order.status],
        "currency": order.currency,
        "paymentError": order.payment_error,
        "refundedInCents": order.refunded_in_cents or 0,
        "dispute": None if dispute is None else {
            "status": dispute.status, "reason": dispute.reason,
            "amountInCents": dispute.amount_in_cents,
            "dueBy": isoformat_z(dispute.due_by) if dispute.due_by is not None else None},
        "shipping": None if order.shipping_name is None else {
            "methodId": order.shipping_method_id, "name": order.shipping_name,
            "priceInCents": order.shipping_price_in_cents,
            "address": order.shipping_address, "tracking": order.tracking},
    }
