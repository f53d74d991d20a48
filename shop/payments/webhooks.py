"""Stripe's webhook: verify the signature first, then dispatch on the event type.

Each event id is recorded once (a replay changes nothing) in the same transaction as what the
event does, so an event that fails half-way is not recorded and Stripe's retry does the work.
Handlers only ever move an order forward through the status table; duplicates and events that
arrive out of order leave it where it is.
"""

import logging
from collections.abc import Callable

from flask import Blueprint, current_app, request

from shop.accounts.auth import csrf_exempt
from shop.database import transaction
from shop.exceptions import InvalidInput
from shop.orders.status import OrderStatus
from shop.payments import services
from shop.payments.stripe_gateway import WebhookEvent, intent_from_stripe, parse_webhook_event

log = logging.getLogger(__name__)

bp = Blueprint("payments_webhooks", __name__)


def payment_succeeded(event: WebhookEvent) -> str:
    order = services.record_payment_succeeded(intent_from_stripe(event.object),
                                              event_id=event.id)
    return order.status if order is not None else "unknown-order"


def payment_failed(event: WebhookEvent) -> str:
    intent = intent_from_stripe(event.object)
    services.record_payment_failed(intent.id, intent.last_error or "The payment failed.",
                                   event_id=event.id)
    return "failed"


def payment_canceled(event: WebhookEvent) -> str:
    services.record_provider_transition(event.object["id"], OrderStatus.CANCELLED,
                                        event_id=event.id)
    return "canceled"


def charge_refunded(event: WebhookEvent) -> str:
    charge = event.object
    intent_id = charge.get("payment_intent")
    if not isinstance(intent_id, str) or not charge.get("refunded"):
        # A partial refund (or a charge outside any intent) leaves the order as it is.
        log.info("partial refund left order as it is",
                 extra={"event_id": event.id, "intent_id": intent_id, "outcome": "ignored",
                        "amount_refunded": charge.get("amount_refunded")})
        return "ignored"
    services.record_provider_transition(intent_id, OrderStatus.REFUNDED, event_id=event.id)
    return "refunded"


# The event types the shop acts on; every other type is acknowledged, logged and ignored.
HANDLERS: dict[str, Callable[[WebhookEvent], str]] = {
    "payment_intent.succeeded": payment_succeeded,
    "payment_intent.payment_failed": payment_failed,
    "payment_intent.canceled": payment_canceled,
    "charge.refunded": charge_refunded,
}


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
        with transaction():
            outcome = _process(event)
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


def _process(event: WebhookEvent) -> str:
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
        outcome = handler(event)
    # A delivery racing this one past the check above is caught here, by the primary key,
    # and everything this one did is rolled back.
    if not services.claim_event(event.id, event.type):
        raise DeliveredTwice(event.id)
    return outcome
