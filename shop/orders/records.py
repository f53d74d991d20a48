"""Orders as read-only records, for the lists that answers and pages show.

A list of orders is read far more often than it is changed. Building ORM objects for each order
and item, and building the statements themselves, costs several times what the database takes
to answer; the statements here are built once per shape, with bound parameters, and read
plain rows. A record has an order's columns as attributes, its items as a list, and the
model's properties (order_status, …): the schemas and templates that take an Order take a
record too. Records cannot be changed or saved: writes load the Order itself.
"""

from functools import cache
from types import FunctionType, SimpleNamespace
from typing import Any

from sqlalchemy import Select, bindparam, func, select

from shop.accounts.models import User
from shop.database import InList
from shop.orders.models import Order, OrderItem
from shop.payments.models import Dispute


def _columns(model: Any, prefix: str = "", table=None) -> tuple:
    """The model's table columns (or an alias's), each labelled with its attribute's name
    (after `prefix`)."""
    columns = (table if table is not None else model.__table__).c
    return tuple(columns[attr.columns[0].key].label(prefix + attr.key)
                 for attr in model.__mapper__.column_attrs)


_DISPUTE = "dispute__"  # the labels' prefix, so that no dispute column shadows an order's
# An alias, so that filters with subqueries on the disputes table (staff's "needs attention")
# do not correlate to this join.
_disputes = Dispute.__table__.alias("order_dispute")
# An order's columns and its dispute's (the Order model loads its dispute with it, too).
ORDER_COLUMNS = (*_columns(Order), *_columns(Dispute, _DISPUTE, _disputes))
ITEM_COLUMNS = _columns(OrderItem)
_orders = Order.__table__.c
_items = OrderItem.__table__.c
_users = User.__table__.c
_ORDERS = Order.__table__.outerjoin(_disputes, _disputes.c.order_id == _orders.id)

ORDER_BY_ID = (select(*ORDER_COLUMNS).select_from(_ORDERS)
               .where(_orders.id == bindparam("order_id")))
# The items of the orders whose ids are given: ITEMS_OF_ORDERS(order_ids) -> (statement, params).
ITEMS_OF_ORDERS = InList(lambda order_ids: select(*ITEM_COLUMNS)
                         .where(_items.order_id.in_(order_ids)).order_by(_items.id))


@cache
def orders_statement(*, all_users: bool, status: bool, email: bool, limit: bool) -> Select:
    """The statement of one shape of order list, built once; its values are bound parameters:
    user_id, status, email (a pattern), limit and offset."""
    query = select(*ORDER_COLUMNS).select_from(_ORDERS)
    if all_users or email:
        query = query.join(User.__table__, _users.id == _orders.user_id)
    if all_users:
        query = query.add_columns(_users.email.label("customer_email"))
    else:
        query = query.where(_orders.user_id == bindparam("user_id"))
    if status:
        query = query.where(_orders.status == bindparam("status"))
    if email:
        query = query.where(func.lower(_users.email).like(bindparam("email"), escape="\\"))
    query = query.order_by(_orders.created_at.desc(), _orders.id.desc())
    if limit:
        query = query.limit(bindparam("limit"))
    return query.offset(bindparam("offset"))


_ORDER_KEYS = tuple(attr.key for attr in Order.__mapper__.column_attrs)
_DISPUTE_KEYS = tuple(attr.key for attr in Dispute.__mapper__.column_attrs)
_ITEM_KEYS = tuple(attr.key for attr in OrderItem.__mapper__.column_attrs)
_DISPUTES_FROM, _DISPUTES_TO = len(_ORDER_KEYS), len(_ORDER_KEYS) + len(_DISPUTE_KEYS)
_DISPUTE_ID = _DISPUTES_FROM + _DISPUTE_KEYS.index("id")


def order_from_row(row) -> "OrderRecord":
    """An OrderRecord (its items still to add) from a row of an orders statement: the order's
    columns, its dispute's (all null without one), then the customer's email on staff lists."""
    order = OrderRecord(**dict(zip(_ORDER_KEYS, row[:_DISPUTES_FROM], strict=True)), items=[])
    order.dispute = (DisputeRecord(**dict(zip(_DISPUTE_KEYS, row[_DISPUTES_FROM:_DISPUTES_TO],
                                              strict=True)))
                     if row[_DISPUTE_ID] is not None else None)
    if len(row) > _DISPUTES_TO:
        order.user = SimpleNamespace(id=order.user_id, email=row[_DISPUTES_TO])
    return order


def item_from_row(row) -> "ItemRecord":
    """An ItemRecord from a row of ITEMS_OF_ORDERS."""
    return ItemRecord(**dict(zip(_ITEM_KEYS, row, strict=True)))


class ItemRecord(SimpleNamespace):
    """An order's item: its columns, and the model's properties (line_total_in_cents, …)."""


class OrderRecord(SimpleNamespace):
    """An order's columns, `items` (ItemRecords by id), and the model's properties; `user`
    (id and email) when the list names each order's customer."""


def _share_behaviour(record: type, model: type) -> None:
    """Give the record the model's own properties and methods, so that they stay one rule."""
    for name, value in vars(model).items():
        if not name.startswith("_") and isinstance(value, property | FunctionType):
            setattr(record, name, value)


class DisputeRecord(SimpleNamespace):
    """An order's dispute: its columns, and the model's properties (is_open, …)."""


_share_behaviour(OrderRecord, Order)
_share_behaviour(DisputeRecord, Dispute)
_share_behaviour(ItemRecord, OrderItem)
