"""What the payment provider tells us, applied to orders through the status table.

Both gateways end here: the offline gateway when a test card is confirmed, Stripe through its
webhook, the checkout's return page and `shop reconcile-payments`. The provider is the source
of truth for `paid`: where the order of events matters, the shop asks the provider for the
intent's current state (with no lock held) and settles the order on that (settle_order).
"""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from shop.accounts.models import User
from shop.database import transaction, utcnow
from shop.exceptions import NotFound, PaymentDeclined, PaymentProviderError
from shop.extensions import db
from shop.orders.models import Order
from shop.orders.services import (
    apply_transition,
    intent_pays_for,
    recount_refunds,
    settle_refunded,
)
from shop.orders.status import OrderStatus
from shop.payments.gateway import get_gateway
from shop.payments.interface import (
    CANCELED,
    PROCESSING,
    REFUND_GAVE_UP,
    REQUIRES_PAYMENT_METHOD,
    SUCCEEDED,
    Intent,
    PaymentState,
    ProviderRefund,
    takes_test_cards,
)
from shop.payments.models import Dispute, PaymentEvent, PaymentMismatch, Refund

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


def record_payment_succeeded(intent: Intent, *, event_id: str | None = None,
                             source: str = "webhook") -> Order | None:
    """Mark the intent's order paid, if it is pending and the amount and currency match.

    A payment that does not match, or that arrives for a cancelled order, is kept as a
    PaymentMismatch row and shown to staff as needing attention; it never marks the order paid.
    """
    order = order_for_intent(intent.id)
    fields = {"intent_id": intent.id, "event_id": event_id,
              "order_id": order.id if order else None}
    if order is None:
        log.warning("payment for unknown intent", extra={**fields, "outcome": "ignored"})
        return None
    return _record_success(order, intent, fields, source)


def _record_success(order: Order, intent: Intent, fields: dict, source: str) -> Order:
    if not intent_pays_for(order, intent):
        log.error("payment does not match order",
                  extra={**fields, "outcome": "mismatch", "amount": intent.amount,
                         "currency": intent.currency})
        _record_mismatch(order, intent, "amount-or-currency", source)
        return order
    if order.order_status == OrderStatus.PENDING:
        apply_transition(order, OrderStatus.PAID, by="provider", notify_provider=False)
        log.info("order paid", extra={**fields, "outcome": "paid"})
    elif order.order_status == OrderStatus.CANCELLED:
        log.error("payment succeeded for a cancelled order; refund it by hand",
                  extra={**fields, "outcome": "paid-after-cancel"})
        _record_mismatch(order, intent, "paid-after-cancel", source)
    return order


def _record_mismatch(order: Order, intent: Intent, kind: str, source: str) -> None:
    """Keep a payment that cannot settle the order, once per order and intent."""
    exists = db.session.scalar(select(PaymentMismatch.id).where(
        PaymentMismatch.order_id == order.id, PaymentMismatch.intent_id == intent.id))
    if exists is None:
        db.session.add(PaymentMismatch(order_id=order.id, intent_id=intent.id, kind=kind,
                                       amount_in_cents=intent.amount,
                                       currency=intent.currency[:3], source=source))
        db.session.flush()


def record_payment_failed(intent_id: str, message: str, *, event_id: str | None = None) -> None:
    """Note a failed attempt on a pending order; the shopper may try again."""
    order = order_for_intent(intent_id)
    if order is not None and order.order_status == OrderStatus.PENDING:
        order.payment_error = message[:500]
    log.info("payment failed", extra={"intent_id": intent_id, "event_id": event_id,
                                      "order_id": order.id if order else None,
                                      "outcome": "failed", "reason": message})


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


# --- Settling an order on the provider's current state ---


def fetch_state(intent_id: str) -> PaymentState | None:
    """What the provider knows now about the intent of one of the shop's orders; None if no
    order has this intent. Call it with no transaction holding locks."""
    known = db.session.scalar(select(Order.id).where(Order.payment_intent_id == intent_id))
    db.session.rollback()
    if known is None:
        return None
    return get_gateway().payment_state(intent_id)


def settle_order(state: PaymentState, *, event_id: str | None = None,
                 source: str = "webhook") -> tuple[Order | None, str]:
    """Bring the intent's order in line with the provider's state, inside the caller's
    transaction; returns (order, outcome). Events that came twice or out of order change
    nothing more, because the outcome depends on the state alone, not on the event.
    """
    intent = state.intent
    order = order_for_intent(intent.id)
    fields = {"intent_id": intent.id, "event_id": event_id,
              "order_id": order.id if order else None}
    if order is None:
        log.warning("payment for unknown intent", extra={**fields, "outcome": "ignored"})
        return None, "unknown-order"
    before = order.status
    if intent.status == SUCCEEDED:
        _record_success(order, intent, fields, source)
    elif intent.status == PROCESSING and order.order_status == OrderStatus.PENDING:
        order.payment_error = None
        log.info("payment processing", extra={**fields, "outcome": "processing"})
    elif intent.status == CANCELED and order.order_status == OrderStatus.PENDING:
        apply_transition(order, OrderStatus.CANCELLED, by="provider", notify_provider=False)
    elif (intent.status == REQUIRES_PAYMENT_METHOD and intent.last_error
          and order.order_status == OrderStatus.PENDING):
        order.payment_error = intent.last_error[:500]
        log.info("payment failed", extra={**fields, "outcome": "failed",
                                          "reason": intent.last_error})
    sync_refunds(order, state.refunds)
    if intent.status == SUCCEEDED and intent_pays_for(order, intent):
        settle_refunded(order, by="provider")
    if order.status != before:
        return order, order.status
    if intent.status == SUCCEEDED and not intent_pays_for(order, intent):
        return order, "mismatch"
    return order, {PROCESSING: "processing", CANCELED: "canceled"}.get(
        intent.status, "failed" if intent.last_error else order.status)


def sync_refunds(order: Order, refunds) -> None:
    """Record the provider's refunds of the order in its ledger, then recount what it refunded.

    A refund is matched by the provider's id, or by the shop's own refund id it carries in its
    metadata (a refund whose answer was lost on the way). A failed or canceled refund stays so.
    """
    for seen in refunds:
        row = db.session.scalar(select(Refund).where(Refund.provider_id == seen.id))
        if row is None and seen.shop_refund_id is not None:
            row = db.session.scalar(select(Refund).where(
                Refund.id == seen.shop_refund_id, Refund.order_id == order.id))
        if row is None:
            row = Refund(order_id=order.id, amount_in_cents=seen.amount, status=seen.status,
                         provider_id=seen.id, created_by="provider",
                         failure_reason=seen.failure_reason)
            db.session.add(row)
            continue
        apply_refund_status(row, seen)
    recount_refunds(order)


def apply_refund_status(row: Refund, seen: ProviderRefund) -> None:
    """Move a ledger refund to the provider's status; failed and canceled are final."""
    if row.provider_id is None:
        row.provider_id = seen.id
    if row.status in REFUND_GAVE_UP:
        return
    row.status = seen.status
    if seen.failure_reason:
        row.failure_reason = seen.failure_reason[:500]


def record_refund_event(seen: ProviderRefund, *, event_id: str | None = None) -> str:
    """A refund.updated or refund.failed event: its refund row takes the event's status, the
    order's refunds are recounted. Returns the outcome."""
    row = db.session.scalar(select(Refund).where(Refund.provider_id == seen.id))
    if row is None and seen.shop_refund_id is not None:
        row = db.session.get(Refund, seen.shop_refund_id)
    order_id = row.order_id if row is not None else None
    order = (_locked_order(Order.id == order_id) if order_id is not None
             else order_for_intent(seen.intent_id) if seen.intent_id else None)
    if order is None:
        log.info("refund for unknown order", extra={"event_id": event_id, "outcome": "ignored",
                                                    "refund_id": seen.id})
        return "unknown-order"
    if row is None:
        row = Refund(order_id=order.id, amount_in_cents=seen.amount, status=seen.status,
                     provider_id=seen.id, created_by="provider",
                     failure_reason=seen.failure_reason)
        db.session.add(row)
    else:
        apply_refund_status(row, seen)
    recount_refunds(order)
    settle_refunded(order, by="provider")
    log.info("refund recorded", extra={"event_id": event_id, "order_id": order.id,
                                       "refund_id": seen.id, "outcome": row.status})
    return f"refund-{row.status}"


# Stripe's dispute statuses and the shop's; an inquiry (warning_*) reads as its dispute would.
DISPUTE_STATUSES = {
    "warning_needs_response": "needs_response", "needs_response": "needs_response",
    "warning_under_review": "under_review", "under_review": "under_review",
    "warning_closed": "won", "won": "won", "lost": "lost",
}
# How far along a dispute is: events arriving late never move it back.
_DISPUTE_STAGE = {"needs_response": 0, "under_review": 1, "won": 2, "lost": 2}


def record_dispute(obj: dict, *, event_id: str | None = None) -> str:
    """A charge.dispute.* event: the order's dispute row follows the dispute, forward only."""
    intent_id = obj.get("payment_intent")
    order = order_for_intent(intent_id) if isinstance(intent_id, str) else None
    if order is None:
        log.info("dispute for unknown order", extra={"event_id": event_id,
                                                     "outcome": "ignored"})
        return "unknown-order"
    status = DISPUTE_STATUSES.get(str(obj.get("status")), "needs_response")
    due = (obj.get("evidence_details") or {}).get("due_by")
    row = db.session.scalar(select(Dispute).where(Dispute.order_id == order.id))
    if row is None:
        row = Dispute(order_id=order.id, provider_id=str(obj["id"]), status=status)
        db.session.add(row)
    elif _DISPUTE_STAGE[status] < _DISPUTE_STAGE[row.status] or (
            _DISPUTE_STAGE[row.status] == 2 and status != row.status):
        log.info("late dispute event ignored", extra={"event_id": event_id,
                                                      "order_id": order.id,
                                                      "outcome": "ignored"})
        return f"dispute-{row.status}"
    row.provider_id = str(obj["id"])
    row.status = status
    row.reason = (str(obj.get("reason")) if obj.get("reason") else None)
    row.amount_in_cents = int(obj.get("amount") or 0)
    row.due_by = (datetime.fromtimestamp(int(due), UTC) if isinstance(due, int) else None)
    db.session.flush()
    log.warning("dispute recorded", extra={"event_id": event_id, "order_id": order.id,
                                           "outcome": status})
    return f"dispute-{status}"


def settle_from_provider(intent_id: str, *, source: str) -> tuple[Order | None, str]:
    """Ask the provider about an intent (no lock held), then settle its order in one short
    transaction: the return page and reconcile-payments use it, with the webhook's rules."""
    state = fetch_state(intent_id)
    if state is None:
        return None, "unknown-order"
    with transaction():
        return settle_order(state, source=source)


@dataclass(frozen=True)
class Reconciliation:
    """What reconciling one order came to: `outcome` is changed, unchanged, mismatch or failed."""

    order_id: int
    outcome: str
    detail: str


def reconcile_payments(since: timedelta) -> list[Reconciliation]:
    """Settle every pending order placed within `since` on what the provider says now.

    A missed webhook (a wrong secret, an outage) never leaves a paying customer pending: the
    order is settled here with the webhook's own rules, and every payment that does not match
    its order is reported. Each order is settled in its own transaction.
    """
    cutoff = utcnow() - since
    rows = list(db.session.execute(
        select(Order.id, Order.payment_intent_id, Order.status)
        .where(Order.status == OrderStatus.PENDING, Order.created_at >= cutoff,
               Order.payment_intent_id.is_not(None))
        .order_by(Order.id)))
    db.session.rollback()
    results = []
    for order_id, intent_id, before in rows:
        if not intent_id:  # pragma: no cover - the query keeps only orders with an intent
            continue
        try:
            order, outcome = settle_from_provider(intent_id, source="reconcile")
        except PaymentProviderError as error:
            results.append(Reconciliation(order_id, "failed", error.detail))
            continue
        if order is None:
            continue
        if outcome == "mismatch" or (outcome == OrderStatus.CANCELLED.value
                                     and _has_mismatch(order_id)):
            mismatch = db.session.scalar(select(PaymentMismatch).where(
                PaymentMismatch.order_id == order_id).order_by(PaymentMismatch.id.desc()))
            paid = (f"{mismatch.amount_in_cents} {mismatch.currency.upper()}" if mismatch
                    else "a payment")
            results.append(Reconciliation(
                order_id, "mismatch", f"{paid} paid on {intent_id} for an order of "
                f"{order.amount_in_cents} {order.currency.upper()}; not marked paid"))
        elif order.status != before:
            results.append(Reconciliation(order_id, "changed", f"{before} -> {order.status}"))
        else:
            results.append(Reconciliation(order_id, "unchanged", f"still {order.status}"))
    db.session.rollback()
    return results


def _has_mismatch(order_id: int) -> bool:
    return db.session.scalar(select(PaymentMismatch.id).where(
        PaymentMismatch.order_id == order_id).limit(1)) is not None
