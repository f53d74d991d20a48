"""Stripe's webhook: verify the signature first, then dispatch on the event type.

Each event id is recorded once (a replay changes nothing) in the same transaction as what the
event does, so an event that fails half-way is not recorded and Stripe's retry does the work.
Handlers settle the order on the provider's current state, fetched before any row is locked,
so events that come twice or out of order end where the provider is (a refund that arrives
before the success still ends `refunded`), and only ever move an order through the status
table.
"""

import logging
from collections.abc import Callable

from flask import Blueprint, current_app, request

from shop.accounts.auth import csrf_exempt
from shop.database import transaction
from shop.exceptions import InvalidInput
from shop.payments import services
from shop.payments.interface import PaymentState
from shop.payments.stripe_gateway import (
    WebhookEvent,
    intent_from_stripe,
    parse_webhook_event,
    refund_from_stripe,
)

log = logging.getLogger(__name__)

bp = Blueprint("payments_webhooks", __name__)


def intent_of(event: WebhookEvent) -> str | None:
    """The payment intent an event is about, when it names one."""
    obj = event.object
    if event.type.startswith("payment_intent."):
        return intent_from_stripe(obj).id  # a KeyError for an object that is no intent
    intent_id = obj.get("payment_intent")
    return intent_id if isinstance(intent_id, str) and intent_id else None


def settle(event: WebhookEvent, state: PaymentState | None) -> str:
    """payment_intent.* and charge.refunded: settle the order on the intent's current state."""
    if state is None:
        log.warning("payment for unknown intent", extra={"event_id": event.id,
                                                         "intent_id": intent_of(event),
                                                         "outcome": "ignored"})
        return "unknown-order"
    order, outcome = services.settle_order(state, event_id=event.id)
    return outcome


def refund_changed(event: WebhookEvent, state: PaymentState | None) -> str:
    """refund.updated, refund.failed: the refund row follows the event; the rest settles on
    the intent's current state."""
    outcome = services.record_refund_event(refund_from_stripe(event.object), event_id=event.id)
    if state is not None:
        services.settle_order(state, event_id=event.id)
    return outcome


def dispute_changed(event: WebhookEvent, state: PaymentState | None) -> str:
    """charge.dispute.created, .updated, .closed: the order's dispute row follows, forward only."""
    return services.record_dispute(event.object, event_id=event.id)


# The event types the shop acts on; every other type is acknowledged, logged and ignored.
HANDLERS: dict[str, Callable[[WebhookEvent, PaymentState | None], str]] = {
    "payment_intent.succeeded": settle,
    "payment_intent.payment_failed": settle,
    "payment_intent.canceled": settle,
    "payment_intent.processing": settle,
    "charge.refunded": settle,
    "refund.updated": refund_changed,
    "refund.failed": refund_changed,
    "charge.dispute.created": dispute_changed,
    "charge.dispute.updated": dispute_changed,
    "charge.dispute.closed": dispute_changed,
}
# Events whose handler settles on the provider's state: it is fetched before any lock.
NEEDS_STATE = {"payment_intent.succeeded", "payment_intent.payment_failed",
               "payment_intent.canceled", "payment_intent.processing", "charge.refunded",
               "refund.updated", "refund.failed"}


@bp.post("/payments/stripe/webhook")
@csrf_exempt
def stripe_webhook():
    """Receive a signed Stripe event: 200 once handled (or already handled), 400 if unsigned."""
    secret = current_app.config.get("STRIPE_WEBHOOK_SECRET")
    if not secret:
        # Fail closed: without a secret no event can be trusted.
        log.error("webhook refused: STRIPE_WEBHOOK_SECRET is not set",
                  extra={"outcome": "rejected"})
        raise InvalidInput("This shop accepts no webhooks: STRIPE_WEBHOOK_SECRET is not set.")
    try:
        event = parse_webhook_event(request.get_data(), request.headers.get("Stripe-Signature"),
                                    secret)
    except InvalidInput as error:
        log.warning("webhook rejected", extra={"outcome": "rejected", "reason": error.detail})
        raise
    try:
        state = None
        if event.type in NEEDS_STATE and not services.event_handled(event.id):
            intent_id = intent_of(event)
            # Asked before the transaction below takes any lock (see docs/stripe.md).
            state = services.fetch_state(intent_id) if intent_id else None
        with transaction():
            outcome = _process(event, state)
    except DeliveredTwice:
        log.info("webhook delivered twice at once", extra={"event_id": event.id,
                                                            "event_type": event.type,
                                                            "outcome": "duplicate"})
        outcome = "duplicate"
    except (KeyError, TypeError, ValueError):
        # Signed, yet its object is not shaped as its type promises: nothing is recorded.
        log.warning("webhook object malformed", extra={"event_id": event.id,
                                                       "event_type": event.type,
                                                       "outcome": "rejected"})
        raise InvalidInput(
            f"The {event.type} event does not carry the object it should.") from None
    return {"received": True, "outcome": outcome}


class DeliveredTwice(Exception):
    """Another delivery of the same event recorded it first; this one's work is undone."""


def _process(event: WebhookEvent, state: PaymentState | None) -> str:
    """Apply an event once, inside the caller's transaction, with the record of its id."""
    if services.event_handled(event.id):
        log.info("webhook replayed", extra={"event_id": event.id, "event_type": event.type,
                                             "outcome": "duplicate"})
        return "duplicate"
    handler = HANDLERS.get(event.type)
    if handler is None:
        outcome = "ignored"
        log.info("webhook type ignored", extra={"event_id": event.id, "event_type": event.type,
                                                "outcome": outcome})
    else:
        outcome = handler(event, state)
    # A delivery racing this one past the check above is caught here, by the primary key,
    # and everything this one did is rolled back.
    if not services.claim_event(event.id, event.type):
        raise DeliveredTwice(event.id)
    return outcome
