"""What the payment provider tells us, applied to orders through the status table.

Both gateways end here: the offline gateway when a test card is confirmed, Stripe through its
webhook. The provider is the source of truth for `paid`.
"""

import logging

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from shop.accounts.models import User
from shop.database import transaction
from shop.exceptions import NotFound, PaymentDeclined
from shop.extensions import db
from shop.orders.models import Order
from shop.orders.services import apply_transition, intent_pays_for
from shop.orders.status import TRANSITIONS, OrderStatus
from shop.payments.gateway import get_gateway
from shop.payments.interface import Intent, takes_test_cards
from shop.payments.models import PaymentEvent

log = logging.getLogger(__name__)


def _locked_order(*criteria) -> Order | None:
    """The order matching `criteria`, locked for the rest of the transaction, as committed."""
    return db.session.scalar(
        select(Order).options(selectinload(Order.items)).where(*criteria)
        .with_for_update(of=Order).execution_options(populate_existing=True)
    )


def order_for_intent(intent_id: str) -> Order | None:
    """The order paid by this intent, locked for the rest of the transaction."""
    return _locked_order(Order.payment_intent_id == intent_id)


def event_handled(event_id: str) -> bool:
    """Whether a provider event id was already recorded."""
    return db.session.get(PaymentEvent, event_id) is not None


def claim_event(event_id: str, event_type: str) -> bool:
    """Record a provider event id in the current transaction; False if another has it.

    On False the transaction is spoilt and the caller must roll back everything it did.
    """
    db.session.add(PaymentEvent(id=event_id, type=event_type))
    try:
        db.session.flush()
    except IntegrityError:
        return False
    return True


def record_payment_succeeded(intent: Intent, *, event_id: str | None = None) -> Order | None:
    """Mark the intent's order paid, if it is pending and the amount and currency match."""
    order = order_for_intent(intent.id)
    fields = {"intent_id": intent.id, "event_id": event_id,
              "order_id": order.id if order else None}
    if order is None:
        log.warning("payment for unknown intent", extra={**fields, "outcome": "ignored"})
        return None
    if not intent_pays_for(order, intent):
        log.error("payment does not match order",
                  extra={**fields, "outcome": "mismatch", "amount": intent.amount,
                         "currency": intent.currency})
        return order
    if order.order_status == OrderStatus.PENDING:
        apply_transition(order, OrderStatus.PAID, by="provider", notify_provider=False)
        log.info("order paid", extra={**fields, "outcome": "paid"})
    elif order.order_status == OrderStatus.CANCELLED:
        log.error("payment succeeded for a cancelled order; refund it by hand",
                  extra={**fields, "outcome": "paid-after-cancel"})
    return order


def record_payment_failed(intent_id: str, message: str, *, event_id: str | None = None) -> None:
    """Note a failed attempt on a pending order; the shopper may try again."""
    order = order_for_intent(intent_id)
    if order is not None and order.order_status == OrderStatus.PENDING:
        order.payment_error = message[:500]
    log.info("payment failed", extra={"intent_id": intent_id, "event_id": event_id,
                                      "order_id": order.id if order else None,
                                      "outcome": "failed", "reason": message})


def record_provider_transition(intent_id: str, target: OrderStatus, *,
                               event_id: str | None = None) -> None:
    """Follow a cancel or refund made at the provider, if the table allows it from here."""
    order = order_for_intent(intent_id)
    if order is None or target not in TRANSITIONS[order.order_status]:
        log.info("provider event left order as it is",
                 extra={"intent_id": intent_id, "event_id": event_id, "to": target.value,
                        "order_id": order.id if order else None, "outcome": "ignored"})
        return
    apply_transition(order, target, by="provider", notify_provider=False)


def confirm_test_payment(user: User, client_secret: str, card_number: str) -> Order:
    """Pay one of the user's orders with a test card on the offline gateway.

    The order is locked before the payment, as every path does (see transaction()), so a
    cancellation of the same order waits for this payment or this payment for it.
    """
    gateway = get_gateway()
    if not takes_test_cards(gateway):
        raise NotFound("There is no test payment with that client secret.")
    declined: PaymentDeclined | None = None
    with transaction():
        order = _locked_order(Order.client_secret == client_secret)
        if order is None or order.user_id != user.id:
            raise NotFound("There is no test payment with that client secret.")
        try:
            intent = gateway.confirm(client_secret, card_number)
        except PaymentDeclined as error:
            # A decline is news to keep: the attempt is recorded, then the shopper told.
            record_payment_failed(order.payment_intent_id or "", error.detail)
            declined = error
        else:
            record_payment_succeeded(intent)
    if declined is not None:
        raise declined
    return order
