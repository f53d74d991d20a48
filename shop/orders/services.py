"""Orders: placing them, listing them, and moving them through the status table."""

import hashlib
import json
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from shop.accounts.models import User
from shop.catalog import services as catalog
from shop.database import is_row_id, transaction, utcnow
from shop.exceptions import (
    InvalidInput,
    NotFound,
    PaymentProviderError,
    PermissionDenied,
    StateConflict,
    UnknownReferences,
)
from shop.extensions import db
from shop.orders import records
from shop.orders.models import IdempotencyKey, Order, OrderItem
from shop.orders.records import ItemRecord, OrderRecord
from shop.orders.status import OWNER_TRANSITIONS, OrderStatus, check_transition
from shop.payments.gateway import get_gateway
from shop.payments.interface import PROCESSING, SUCCEEDED, Intent

log = logging.getLogger(__name__)

MAX_UNITS_PER_PRODUCT = 100
MAX_PAGE_SIZE = 100
# Unpaid orders hold stock; a cap stops one account from holding it all hostage.
MAX_PENDING_ORDERS = 10


def place_order(
    user: User, quantities: dict[int, int], idempotency_key: str | None = None
) -> tuple[Order, bool]:
    """Place an order for these units per product; returns (order, created).

    Stock, the order, its items and its payment intent are written in one transaction: if
    anything fails, including the payment provider, nothing is left behind. With an
    idempotency key, a retry returns the order the key first created.
    """
    if not quantities:
        raise InvalidInput("The cart is empty; list at least one product id.")
    too_many = sorted(pid for pid, qty in quantities.items() if qty > MAX_UNITS_PER_PRODUCT)
    if too_many:
        raise InvalidInput(
            f"At most {MAX_UNITS_PER_PRODUCT} units of one product per order.",
            errors=[{"field": "products", "message": f"Too many units of product {pid}."}
                    for pid in too_many],
        )
    request_hash = hashlib.sha256(json.dumps(sorted(quantities.items())).encode()).hexdigest()
    if idempotency_key is not None:
        replay = _replayed_order(user, idempotency_key, request_hash)
        if replay is not None:
            return replay, False
    unpaid = db.session.scalar(select(func.count()).select_from(Order).where(
        Order.user_id == user.id, Order.status == OrderStatus.PENDING)) or 0
    if unpaid >= MAX_PENDING_ORDERS:
        raise StateConflict(f"You have {MAX_PENDING_ORDERS} unpaid orders: pay or cancel one "
                            "before placing another.")

    products = catalog.products_by_id(quantities)
    missing = sorted(set(quantities) - set(products))
    if missing:
        raise UnknownReferences(
            "No product for sale with id " + ", ".join(str(i) for i in missing) + ".",
            errors=[{"field": "products", "message": f"Unknown product {i}."} for i in missing],
            productIds=missing,
        )

    gateway = get_gateway()
    try:
        with transaction():
            key_row = None
            if idempotency_key is not None:
                # Claimed first: a concurrent retry with the same key waits here, then replays.
                key_row = IdempotencyKey(user_id=user.id, key=idempotency_key,
                                         request_hash=request_hash)
                db.session.add(key_row)
                db.session.flush()
            order = Order(
                user=user,
                status=OrderStatus.PENDING,
                currency=current_app.config["SHOP_CURRENCY"],
                amount_in_cents=sum(products[pid].price_in_cents * qty
                                    for pid, qty in quantities.items()),
                items=[
                    OrderItem(product_id=pid, name=products[pid].name,
                              price_in_cents=products[pid].price_in_cents, quantity=qty)
                    for pid, qty in sorted(quantities.items())
                ],
            )
            db.session.add(order)
            db.session.flush()
            catalog.take_stock(quantities, order_id=order.id, user_id=user.id)
            intent = gateway.create_intent(
                order_id=order.id, amount=order.amount_in_cents, currency=order.currency,
                # Unique per attempt: ids of rolled-back orders can come round again on SQLite.
                idempotency_key=f"order-{order.id}-{secrets.token_hex(8)}",
            )
            order.payment_gateway = gateway.name
            order.payment_intent_id = intent.id
            order.client_secret = intent.client_secret
            if key_row is not None:
                key_row.order_id = order.id
    except IntegrityError:
        # The same Idempotency-Key committed first by a concurrent request: return its order.
        replay = (_replayed_order(user, idempotency_key, request_hash) if idempotency_key
                  else None)
        if not replay:
            raise
        return replay, False
    log.info("order placed", extra={"order_id": order.id, "intent_id": order.payment_intent_id,
                                    "amount": order.amount_in_cents})
    return order, True


def _replayed_order(user: User, key: str, request_hash: str) -> Order | None:
    row = db.session.scalar(
        select(IdempotencyKey).where(IdempotencyKey.user_id == user.id, IdempotencyKey.key == key)
    )
    if row is None or row.order_id is None:
        return None
    if row.request_hash != request_hash:
        raise StateConflict("This Idempotency-Key was already used with a different cart.")
    return _load_order(row.order_id)


def _load_order(order_id: int, *, lock: bool = False,
                with_customer: bool = False) -> Order | None:
    if not is_row_id(order_id):
        return None
    query = select(Order).options(selectinload(Order.items)).where(Order.id == order_id)
    if with_customer:
        query = query.options(joinedload(Order.user))
    if lock:
        # populate_existing: once the lock is ours, see the row as the writer before us left
        # it, not as this session may have read it earlier in the request.
        query = query.with_for_update(of=Order).execution_options(populate_existing=True)
    return db.session.scalar(query)


def list_orders(
    user: User,
    *,
    status: OrderStatus | None = None,
    limit: int | None = None,
    offset: int = 0,
    all_users: bool = False,
    email: str | None = None,
) -> tuple[list[OrderRecord], bool]:
    """The user's orders (staff: everyone's), newest first; returns (page, more_remain).

    Two statements whatever the page's size: the orders (with each customer, for staff), then
    all their items. Read-only records, not ORM objects: see shop.orders.records.
    """
    if all_users and not user.is_staff:
        raise PermissionDenied("Only staff may list every user's orders.")
    email = email.strip().lower() if email else None
    statement = records.orders_statement(all_users=all_users, status=status is not None,
                                         email=bool(email), limit=limit is not None)
    params: dict = {"offset": offset}
    if not all_users:
        params["user_id"] = user.id
    if status is not None:
        params["status"] = status.value
    if email:
        escaped = email.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params["email"] = f"%{escaped}%"
    if limit is not None:
        params["limit"] = limit + 1
    rows = db.session.execute(statement, params).all()
    more = limit is not None and len(rows) > limit
    orders = []
    for row in rows[:limit] if limit is not None else rows:
        values = row._asdict()
        customer_email = values.pop("customer_email", None)
        order = OrderRecord(**values, items=[])
        if all_users:
            # Staff lists show each order's customer.
            order.user = SimpleNamespace(id=order.user_id, email=customer_email)
        orders.append(order)
    by_id = {order.id: order for order in orders}
    if by_id:
        for item in db.session.execute(records.ITEMS_OF_ORDERS, {"order_ids": list(by_id)}):
            by_id[item.order_id].items.append(ItemRecord(**item._asdict()))
    return orders, more


def get_order(user: User, order_id: int, *, with_customer: bool = False) -> Order:
    """One order the user may see: their own, or any for staff (with its customer loaded, for
    the staff's page)."""
    order = _load_order(order_id, with_customer=with_customer)
    if order is None or not _may_see(user, order):
        raise NotFound(f"There is no order {order_id}.")
    return order


def read_order(user: User, order_id: int) -> OrderRecord:
    """get_order as a read-only record, for answers that only show it (two statements)."""
    row = (db.session.execute(records.ORDER_BY_ID, {"order_id": order_id}).first()
           if is_row_id(order_id) else None)
    if row is None or not _may_see(user, row):
        raise NotFound(f"There is no order {order_id}.")
    order = OrderRecord(**row._asdict(), items=[])
    order.items = [ItemRecord(**item._asdict()) for item in
                   db.session.execute(records.ITEMS_OF_ORDERS, {"order_ids": [order_id]})]
    return order


def _may_see(user: User, order) -> bool:
    """Whose orders a user may see: their own, and staff everyone's."""
    return order.user_id == user.id or user.is_staff


def get_own_order(user: User, order_id: int) -> Order:
    """One of the user's own orders; NotFound for anybody else's (staff included: their view
    of other people's orders is the staff pages)."""
    order = get_order(user, order_id)
    if order.user_id != user.id:
        raise NotFound(f"There is no order {order_id}.")
    return order


def change_status(user: User, order_id: int, target: OrderStatus) -> Order:
    """Move an order to `target` if the table and the user's role allow it.

    The order row is locked first, before its payment and its products (see transaction()).
    """
    with transaction():
        order = _load_order(order_id, lock=True)
        if order is None or (order.user_id != user.id and not user.is_staff):
            raise NotFound(f"There is no order {order_id}.")
        current = order.order_status
        if target == current:
            return order
        check_transition(current, target)
        # An owner's `paid` is only the provider's word, checked here; nothing more to settle.
        owner_asks_paid = not user.is_staff and target == OrderStatus.PAID
        if not user.is_staff:
            if (current, target) not in OWNER_TRANSITIONS:
                raise PermissionDenied(f"Only staff can mark an order {target}.")
            if owner_asks_paid:
                intent = get_gateway().retrieve_intent(order.payment_intent_id or "")
                if not intent_pays_for(order, intent):
                    raise StateConflict("The payment for this order has not succeeded yet.",
                                        paymentStatus=intent.status)
        apply_transition(order, target, by=f"user:{user.id}", notify_provider=not owner_asks_paid)
    return order


@dataclass(frozen=True)
class PaymentProgress:
    """How the payment of an order went, by the provider's word.

    `outcome` is succeeded, processing or failed; `reason` says why a payment failed.
    """

    order: Order
    outcome: str
    reason: str | None

    @property
    def succeeded(self) -> bool:
        """The provider has the money."""
        return self.outcome == SUCCEEDED

    @property
    def went_through(self) -> bool:
        """Paid or on its way: the cart that made the order has done its job."""
        return self.outcome in (SUCCEEDED, PROCESSING)

    @property
    def confirmed(self) -> bool:
        """The provider says paid and the order already moved on (the webhook came)."""
        return self.succeeded and self.order.order_status != OrderStatus.PENDING


def payment_progress(order: Order) -> PaymentProgress:
    """Ask the provider how the payment of this order is going."""
    intent = get_gateway().retrieve_intent(order.payment_intent_id or "")
    outcome = intent.status if intent.status in (SUCCEEDED, PROCESSING) else "failed"
    return PaymentProgress(order, outcome, intent.last_error or order.payment_error)


def intent_pays_for(order: Order, intent: Intent) -> bool:
    """Whether a succeeded intent covers exactly this order's amount and currency."""
    return (intent.status == SUCCEEDED and intent.amount == order.amount_in_cents
            and intent.currency.lower() == order.currency.lower())


def apply_transition(order: Order, target: OrderStatus, *, by: str,
                     notify_provider: bool = True) -> None:
    """Apply a permitted status change with its side effects, inside the caller's transaction.

    Cancelling a pending order returns its stock and, unless the provider told us, cancels its
    payment intent; refunding refunds the payment with the provider.
    """
    current = order.order_status
    check_transition(current, target)
    if notify_provider and order.payment_intent_id:
        _settle_with_provider(order, target)
    if target == OrderStatus.CANCELLED:
        catalog.return_stock(order.quantities(), order_id=order.id,
                             reason=catalog.ORDER_EXPIRED if by == "expiry"
                             else catalog.ORDER_CANCELLED)
    if target == OrderStatus.PAID:
        order.payment_error = None
    order.status = target
    log.info("order status changed",
             extra={"order_id": order.id, "from": current.value, "to": target.value, "by": by})


def _settle_with_provider(order: Order, target: OrderStatus) -> None:
    """Tell the provider what a status change means for the order's payment intent.

    Cancelling cancels the intent. Refunding refunds it if it was paid through the provider;
    an order that staff marked paid by hand (paid some other way) has nothing to refund there.
    Marking paid by hand cancels the still-open intent so that the shopper cannot pay twice.
    """
    gateway = get_gateway()
    intent_id = order.payment_intent_id or ""
    if target == OrderStatus.CANCELLED:
        gateway.cancel_intent(intent_id)
    elif target in (OrderStatus.REFUNDED, OrderStatus.PAID):
        intent = gateway.retrieve_intent(intent_id)
        if target == OrderStatus.REFUNDED and intent.status == SUCCEEDED:
            gateway.refund(intent_id, idempotency_key=f"refund-order-{order.id}")
        elif target == OrderStatus.PAID and intent.status != SUCCEEDED:
            gateway.cancel_intent(intent_id)
        else:
            log.info("nothing to settle with the provider",
                     extra={"order_id": order.id, "intent_id": intent_id, "to": target.value,
                            "intent_status": intent.status})


@dataclass(frozen=True)
class Expiry:
    """What expiring one stale order came to: `outcome` is cancelled, skipped or failed."""

    order_id: int
    outcome: str
    detail: str


def expire_pending_orders(older_than: timedelta) -> list[Expiry]:
    """Cancel the orders left pending longer than `older_than`, through the status table.

    Each order is cancelled in its own transaction: its payment intent is cancelled with the
    provider and its stock goes back. An order whose payment succeeded meanwhile is left for
    the webhook; one the provider cannot cancel now is left for the next run. Running it
    again changes nothing more.
    """
    if older_than <= timedelta(0):
        raise InvalidInput("Only orders pending for some time can expire.")
    cutoff = utcnow() - older_than
    stale_ids = list(db.session.scalars(
        select(Order.id).where(Order.status == OrderStatus.PENDING, Order.created_at < cutoff)
        .order_by(Order.id)
    ))
    db.session.rollback()
    return [expiry for order_id in stale_ids if (expiry := _expire(order_id)) is not None]


def _expire(order_id: int) -> Expiry | None:
    """Cancel one stale order in its own transaction; None if it is no longer pending."""
    fields: dict = {"order_id": order_id}
    try:
        with transaction():
            order = _load_order(order_id, lock=True)
            # Re-checked under the lock: the order may have been paid or cancelled meanwhile.
            if order is None or order.order_status != OrderStatus.PENDING:
                return None
            fields["intent_id"] = order.payment_intent_id
            since = order.created_at.strftime("%Y-%m-%d %H:%M UTC")
            apply_transition(order, OrderStatus.CANCELLED, by="expiry")
    except StateConflict as conflict:
        log.warning("stale order not expired", extra={**fields, "outcome": "skipped"})
        return Expiry(order_id, "skipped", conflict.detail)
    except PaymentProviderError as error:
        log.error("stale order not expired", extra={**fields, "outcome": "failed"})
        return Expiry(order_id, "failed", error.detail)
    log.info("stale order expired", extra={**fields, "outcome": "cancelled"})
    return Expiry(order_id, "cancelled", f"pending since {since}")


def demo_cart(size: int = 3) -> list[tuple[int, str, int, int]]:
    """A few real products in stock, as (id, name, quantity, priceInCents) cart lines."""
    products = [p for p in catalog.list_products() if p.stock >= 2][:size]
    return [(p.id, p.name, 2 if i == 0 else 1, p.price_in_cents) for i, p in enumerate(products)]
