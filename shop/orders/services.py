"""Orders: placing them, listing them, and moving them through the status table."""

import hashlib
import json
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from shop.accounts.models import User
from shop.catalog import services as catalog
from shop.database import is_row_id, transaction, utcnow
from shop.exceptions import (
    AmountOutOfRange,
    InvalidInput,
    NotFound,
    PaymentProviderError,
    PermissionDenied,
    StateConflict,
    UnknownReferences,
)
from shop.extensions import db
from shop.mail import notifications
from shop.money import charge_limits, format_money
from shop.orders import records
from shop.orders.models import IdempotencyKey, Order, OrderItem
from shop.orders.records import OrderRecord
from shop.orders.status import OWNER_TRANSITIONS, TRANSITIONS, OrderStatus, check_transition
from shop.payments.gateway import get_gateway
from shop.payments.interface import (
    PROCESSING,
    REFUND_GAVE_UP,
    REFUND_PENDING,
    REFUND_SUCCEEDED,
    SUCCEEDED,
    Intent,
    ProviderRefund,
)
from shop.payments.models import Dispute, PaymentMismatch, Refund
from shop.shipping import services as shipping
from shop.shipping.schemas import ShippingAddress

log = logging.getLogger(__name__)

MAX_UNITS_PER_PRODUCT = 100
MAX_PAGE_SIZE = 100
# Unpaid orders hold stock; a cap stops one account from holding it all hostage.
MAX_PENDING_ORDERS = 10


def place_order(
    user: User, quantities: dict[int, int], idempotency_key: str | None = None, *,
    shipping_method_id: int | None = None, shipping_address: ShippingAddress | None = None,
) -> tuple[Order, bool]:
    """Place an order for these units per product; returns (order, created).

    Three short transactions, so that no row lock is held while the payment provider is
    asked anything (docs/stripe.md, "Placing an order"): (1) claim the idempotency key, take
    the stock and write the order; (2) with no transaction open, create the payment intent;
    (3) attach the intent to the order. If the provider fails, a compensating transaction
    returns the stock through the catalog and deletes the order and its key, so the answer is
    502 and nothing is left behind. With an idempotency key, a retry returns the order the key
    first created. Without a shipping
    method the order uses the active method that needs no address (the seed's plain body).
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
    asked: list[object] = [sorted(quantities.items())]
    if shipping_method_id is not None:
        asked.append([shipping_method_id,
                      shipping_address.as_dict() if shipping_address else None])
    request_hash = hashlib.sha256(json.dumps(asked).encode()).hexdigest()
    if idempotency_key is not None:
        replay = _replayed_order(user, idempotency_key, request_hash)
        if replay is not None:
            return replay, False
    unpaid = db.session.scalar(select(func.count()).select_from(Order).where(
        Order.user_id == user.id, Order.status == OrderStatus.PENDING)) or 0
    if unpaid >= MAX_PENDING_ORDERS:
        raise StateConflict(f"You have {MAX_PENDING_ORDERS} unpaid orders: pay or cancel one "
                            "before placing another.")
    shipping_choice = shipping.choose_shipping(shipping_method_id, shipping_address)

    products = catalog.product_lines_by_id(quantities)
    missing = sorted(set(quantities) - set(products))
    if missing:
        raise UnknownReferences(
            "No product for sale with id " + ", ".join(str(i) for i in missing) + ".",
            errors=[{"field": "products", "message": f"Unknown product {i}."} for i in missing],
            productIds=missing,
        )
    currency = current_app.config["SHOP_CURRENCY"]
    amount = (sum(products[pid].price_in_cents * qty for pid, qty in quantities.items())
              + shipping_choice.method.price_in_cents)
    check_chargeable(amount, currency)

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
                currency=currency,
                amount_in_cents=amount,
                refunded_in_cents=0,
                shipping_method_id=shipping_choice.method.id,
                shipping_name=shipping_choice.method.name,
                shipping_price_in_cents=shipping_choice.method.price_in_cents,
                shipping_address=shipping_choice.address,
                items=[
                    OrderItem(product_id=pid, name=products[pid].name,
                              price_in_cents=products[pid].price_in_cents, quantity=qty)
                    for pid, qty in sorted(quantities.items())
                ],
            )
            db.session.add(order)
            db.session.flush()
            catalog.take_stock(quantities, order_id=order.id, user_id=user.id)
            if key_row is not None:
                key_row.order_id = order.id
    except IntegrityError:
        # The same Idempotency-Key committed first by a concurrent request: return its order.
        replay = (_replayed_order(user, idempotency_key, request_hash) if idempotency_key
                  else None)
        if not replay:
            raise
        return replay, False

    try:
        # No transaction is open here: every lock of the first one is released.
        with transaction():
            intent = gateway.create_intent(
                order_id=order.id, amount=order.amount_in_cents, currency=order.currency,
                # Unique per attempt: ids of deleted orders can come round again on SQLite.
                idempotency_key=f"order-{order.id}-{secrets.token_hex(8)}",
                description=f"Order {order.id}", receipt_email=user.email,
                shipping=order.shipping_address,
            )
    except Exception:
        _withdraw_order(order.id)
        raise
    payment = {"payment_gateway": gateway.name, "payment_intent_id": intent.id,
               "client_secret": intent.client_secret}
    with transaction():
        # One UPDATE, which locks the order's row for itself: the order and its items are in
        # hand already, and only what another request may have changed meanwhile (its status)
        # is read back.
        attached = db.session.execute(
            update(Order).where(Order.id == order.id).values(**payment)
            .returning(Order.status, Order.updated_at)
            .execution_options(synchronize_session=False)).first()
        if attached is None:  # pragma: no cover - nothing deletes a pending order but this path
            raise StateConflict("The order vanished while it was being placed; try again.")
    # As loaded state, not as changes: the row holds them already. A dispute needs a payment,
    # and the client has not had this one's secret yet: there is none to look for.
    for name, value in {**payment, "status": attached.status,
                        "updated_at": attached.updated_at, "dispute": None}.items():
        set_committed_value(order, name, value)
    log.info("order placed", extra={"order_id": order.id, "intent_id": intent.id,
                                    "amount": order.amount_in_cents})
    return order, True


def check_chargeable(amount: int, currency: str) -> None:
    """Refuse an amount the payment provider would not charge in this currency (422)."""
    low, high = charge_limits(currency)
    if amount < low:
        raise AmountOutOfRange(
            f"The order comes to {format_money(amount, currency)}; the smallest amount that "
            f"can be charged in {currency.upper()} is {format_money(low, currency)}.",
            minimumInCents=low, amountInCents=amount,
        )
    if amount > high:
        raise AmountOutOfRange(
            f"The order comes to {format_money(amount, currency)}; the largest amount that "
            f"can be charged in {currency.upper()} is {format_money(high, currency)}.",
            maximumInCents=high, amountInCents=amount,
        )


def _withdraw_order(order_id: int) -> None:
    """Undo an order whose payment intent could not be made: stock back, order and key gone."""
    with transaction():
        order = _load_order(order_id, lock=True)
        if order is None:
            return
        catalog.return_stock(order.quantities(), order_id=order.id,
                             reason=catalog.PAYMENT_FAILED, user_id=order.user_id)
        db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.order_id == order_id))
        db.session.delete(order)
    log.warning("order withdrawn: the payment provider failed",
                extra={"order_id": order_id, "outcome": "withdrawn"})


def _replayed_order(user: User, key: str, request_hash: str) -> Order | None:
    row = db.session.scalar(
        select(IdempotencyKey).where(IdempotencyKey.user_id == user.id, IdempotencyKey.key == key)
    )
    if row is None or row.order_id is None:
        return None
    if row.request_hash != request_hash:
        raise StateConflict("This Idempotency-Key was already used with a different cart.")
    order = _load_order(row.order_id)
    if order is not None and order.payment_intent_id is None:
        # The first request is still talking to the payment provider (or failing).
        raise StateConflict("An order with this Idempotency-Key is still being placed; "
                            "try again in a moment.", retryable=True)
    return order


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
    needs_attention: bool = False,
) -> tuple[list[OrderRecord], bool]:
    """The user's orders (staff: everyone's), newest first; returns (page, more_remain).

    `needs_attention` keeps the orders staff must look at: an open dispute, a failed refund,
    or a payment that did not match the order. Two statements whatever the page's size: the
    orders (with each customer, for staff), then all their items. Read-only records, not ORM
    objects: see shop.orders.records.
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
    if needs_attention:
        statement = statement.where(attention_clause())
    if email:
        escaped = email.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params["email"] = f"%{escaped}%"
    if limit is not None:
        params["limit"] = limit + 1
    connection = db.session.connection()  # plain rows: the ORM's execution would only cost
    rows = connection.execute(statement, params).all()
    more = limit is not None and len(rows) > limit
    # Staff lists show each order's customer: records.order_from_row gives it as order.user.
    orders = [records.order_from_row(row) for row in (rows[:limit] if limit is not None
                                                      else rows)]
    by_id = {order.id: order for order in orders}
    if by_id:
        for item in connection.execute(*records.ITEMS_OF_ORDERS(list(by_id))):
            by_id[item.order_id].items.append(records.item_from_row(item))
    return orders, more


def attention_clause():
    """SQL: the order has an open dispute, a failed refund, or a payment that did not match."""
    return or_(
        exists().where(Dispute.order_id == Order.id,
                       Dispute.status.in_(("needs_response", "under_review"))),
        exists().where(Refund.order_id == Order.id, Refund.status == "failed"),
        exists().where(PaymentMismatch.order_id == Order.id),
    )


def payment_ledger(order: Order) -> tuple[list[Refund], list[PaymentMismatch]]:
    """The order's refunds and mismatched payments, oldest first, for the staff page."""
    refunds = list(db.session.scalars(
        select(Refund).where(Refund.order_id == order.id).order_by(Refund.id)))
    mismatches = list(db.session.scalars(
        select(PaymentMismatch).where(PaymentMismatch.order_id == order.id)
        .order_by(PaymentMismatch.id)))
    return refunds, mismatches


def get_order(user: User, order_id: int, *, with_customer: bool = False) -> Order:
    """One order the user may see: their own, or any for staff (with its customer loaded, for
    the staff's page)."""
    order = _load_order(order_id, with_customer=with_customer)
    if order is None or not _may_see(user, order):
        raise NotFound(f"There is no order {order_id}.")
    return order


def read_order(user: User, order_id: int) -> OrderRecord:
    """get_order as a read-only record, for answers that only show it (two statements)."""
    connection = db.session.connection()  # plain rows, as list_orders reads them
    row = (connection.execute(records.ORDER_BY_ID, {"order_id": order_id}).first()
           if is_row_id(order_id) else None)
    if row is None or not _may_see(user, row):
        raise NotFound(f"There is no order {order_id}.")
    order = records.order_from_row(row)
    order.items = [records.item_from_row(item) for item in
                   connection.execute(*records.ITEMS_OF_ORDERS([order_id]))]
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


def change_status(user: User, order_id: int, target: OrderStatus, *,
                  tracking: dict | None = None) -> Order:
    """Move an order to `target` if the table and the user's role allow it; marking it
    shipped may carry its tracking ({carrier, number, url?}).

    A change the provider must hear of (cancel, refund, paid by hand) is made in three steps,
    so that no row lock is held while the provider is asked: check under the order's lock,
    talk to the provider with no transaction open, then lock the order again, re-check its
    status and apply the change. Moving to `refunded` refunds what is left (refund_order).
    """
    if tracking is not None and target != OrderStatus.SHIPPED:
        raise InvalidInput("Tracking goes with marking an order shipped, not "
                           f"{target.value}.",
                           errors=[{"field": "tracking", "message": "Only with 'shipped'."}])
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
        if not user.is_staff and (current, target) not in OWNER_TRANSITIONS:
            raise PermissionDenied(f"Only staff can mark an order {target}.")
    if target == OrderStatus.REFUNDED:
        refund_order(user, order_id, None, reason="Order refunded", whole_order=True)
        return _load_order(order_id) or order
    if owner_asks_paid:
        intent = get_gateway().retrieve_intent(order.payment_intent_id or "")
        if not intent_pays_for(order, intent):
            raise StateConflict("The payment for this order has not succeeded yet.",
                                paymentStatus=intent.status)
    elif order.payment_intent_id:
        with transaction():  # the offline gateway writes its intent; Stripe writes nothing
            _settle_with_provider(order, target)
    with transaction():
        order = _load_order(order_id, lock=True)
        if order is None:
            raise NotFound(f"There is no order {order_id}.")
        # Re-checked: the order may have moved on while the provider was asked.
        if order.order_status != target:
            if tracking is not None:
                order.tracking = tracking
            apply_transition(order, target, by=f"user:{user.id}", notify_provider=False)
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
    payment intent; refunding refunds the payment with the provider. The customer's mail about
    the change (paid, shipped, cancelled, refunded) is queued in the outbox here, so every
    path (API, staff page, webhook, expiry) sends it.
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
    # Queued in this same transaction: the mail goes out if, and only if, the change commits.
    notifications.order_status_changed(order, target.value)
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
            gateway.refund(intent_id, amount=order.refundable_in_cents,
                           idempotency_key=f"refund-order-{order.id}")
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
    """Cancel one stale order; None if it is no longer pending.

    The intent is cancelled with the provider with no lock held, then the order is locked,
    re-checked and cancelled in its own short transaction.
    """
    fields: dict = {"order_id": order_id}
    try:
        order = _load_order(order_id)
        db.session.rollback()
        if order is None or order.order_status != OrderStatus.PENDING:
            return None
        fields["intent_id"] = order.payment_intent_id
        since = order.created_at.strftime("%Y-%m-%d %H:%M UTC")
        if order.payment_intent_id:
            with transaction():
                _settle_with_provider(order, OrderStatus.CANCELLED)
        with transaction():
            order = _load_order(order_id, lock=True)
            # Re-checked under the lock: the order may have been paid or cancelled meanwhile.
            if order is None or order.order_status != OrderStatus.PENDING:
                return None
            apply_transition(order, OrderStatus.CANCELLED, by="expiry", notify_provider=False)
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


# Orders whose payment can be refunded (the status table's ways into `refunded`).
REFUNDABLE = frozenset(s for s, targets in TRANSITIONS.items() if OrderStatus.REFUNDED in targets)


def refunds_of(user: User, order_id: int) -> list[Refund]:
    """The refunds of an order its owner or staff may see, oldest first."""
    order = get_order(user, order_id)
    return list(db.session.scalars(
        select(Refund).where(Refund.order_id == order.id).order_by(Refund.id)))


def refund_order(user: User, order_id: int, amount: int | None, *, reason: str | None = None,
                 whole_order: bool = False) -> Refund | None:
    """Refund part of an order's payment, or what is left of it (amount None); staff only.

    Three steps, no lock held while the provider is asked: (1) under the order's lock, check
    what is left and write a pending refund that already counts against it, so two refunds at
    once can never exceed the amount; (2) refund with the provider, the refund row's own
    idempotency key making a retry refund once; (3) lock the order again and record the
    provider's answer. The order becomes `refunded` once the refunds reach its amount. An order
    paid by hand (no payment through the provider) records the refund as made outside it.
    """
    if not user.is_staff:
        raise PermissionDenied("Only staff can refund an order.")
    if amount is not None and amount <= 0:
        raise InvalidInput("A refund must be a positive amount.",
                           errors=[{"field": "amountInCents",
                                    "message": "Must be a positive whole number."}])
    by = f"user:{user.id}"
    with transaction():
        order = _load_order(order_id, lock=True)
        if order is None:
            raise NotFound(f"There is no order {order_id}.")
        if order.order_status not in REFUNDABLE:
            raise StateConflict(f"An order that is {order.status} cannot be refunded.",
                                **{"from": order.status,  # type: ignore[arg-type]
                                   "to": OrderStatus.REFUNDED.value})
        left = order.refundable_in_cents
        wanted = left if amount is None else amount
        if wanted > left:
            raise StateConflict(
                f"Only {format_money(left, order.currency)} is left to refund on this order.",
                refundableInCents=left)
        if wanted == 0:
            if not whole_order:
                raise StateConflict("Nothing is left to refund on this order.",
                                    refundableInCents=0)
            apply_transition(order, OrderStatus.REFUNDED, by=by, notify_provider=False)
            return None
        refund = Refund(order_id=order.id, amount_in_cents=wanted, status=REFUND_PENDING,
                        reason=(reason or None), created_by=by)
        db.session.add(refund)
        db.session.flush()
        recount_refunds(order)
        intent_id, refund_id = order.payment_intent_id, refund.id
        key = refund.idempotency_key

    gateway = get_gateway()
    answer: ProviderRefund | None = None
    try:
        with transaction():  # the offline gateway writes its intent; Stripe writes nothing
            intent = gateway.retrieve_intent(intent_id) if intent_id else None
            if intent is not None and intent.status == SUCCEEDED:
                answer = gateway.refund(intent_id or "", amount=wanted, idempotency_key=key,
                                        reason=reason, shop_refund_id=refund_id)
    except (PaymentProviderError, StateConflict) as error:
        with transaction():
            order = _load_order(order_id, lock=True)
            refund = _refund_row(refund_id)
            refund.status = "failed"
            refund.failure_reason = error.detail[:500]
            if order is not None:
                recount_refunds(order)
        log.error("refund failed", extra={"order_id": order_id, "refund_id": refund_id,
                                          "outcome": "failed"})
        raise

    with transaction():
        order = _load_order(order_id, lock=True)
        refund = _refund_row(refund_id)
        if answer is None:
            refund.status = REFUND_SUCCEEDED
            refund.failure_reason = "Paid outside the payment provider; refunded outside it."
        else:
            refund.provider_id = answer.id
            refund.status = answer.status
            refund.failure_reason = answer.failure_reason
        if order is not None:
            recount_refunds(order)
            settle_refunded(order, by=by)
    log.info("refund recorded", extra={"order_id": order_id, "refund_id": refund_id,
                                       "amount": wanted, "outcome": refund.status})
    return refund


def _refund_row(refund_id: int) -> Refund:
    return db.session.scalars(
        select(Refund).where(Refund.id == refund_id)
        .execution_options(populate_existing=True)).one()


def recount_refunds(order: Order) -> None:
    """Set what the order has refunded from its ledger: refunds pending or succeeded."""
    db.session.flush()
    held = db.session.scalar(
        select(func.coalesce(func.sum(Refund.amount_in_cents), 0))
        .where(Refund.order_id == order.id, Refund.status.not_in(REFUND_GAVE_UP)))
    order.refunded_in_cents = min(int(held or 0), order.amount_in_cents)


def settle_refunded(order: Order, *, by: str) -> None:
    """Make the order `refunded` once its refunds reach its amount, if the table allows."""
    if (order.amount_in_cents > 0 and order.refunded_in_cents >= order.amount_in_cents
            and order.order_status in REFUNDABLE):
        apply_transition(order, OrderStatus.REFUNDED, by=by, notify_provider=False)
