"""The Stripe adapter: the one module of the shop that imports `stripe`.

`StripeGateway` implements the PaymentGateway protocol with the library's `StripeClient`;
`parse_webhook_event` verifies a webhook's signature and reads the event. Every failure of
Stripe (network, 5xx, a refused request) becomes PaymentProviderError, which answers 502.
Requests carry only parameters that both Stripe and localstripe accept.
"""

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import stripe
from stripe._base_address import BaseAddresses

from shop.exceptions import InvalidInput, NotFound, PaymentProviderError, StateConflict
from shop.payments.interface import CANCELED, PROCESSING, SUCCEEDED, Intent

log = logging.getLogger(__name__)

T = TypeVar("T")

# Seconds to wait for Stripe; the library's default of 80 would hold a worker far too long.
TIMEOUT = 30
# Retries of network failures; safe because every write carries an idempotency key.
MAX_NETWORK_RETRIES = 2
# How old a webhook's signed timestamp may be, in seconds (Stripe's own default).
WEBHOOK_TOLERANCE = 300
# Intents Stripe will not cancel because money has moved or is moving: a conflict, not a fault.
UNCANCELLABLE = {
    SUCCEEDED: "The payment has already succeeded; refund it instead.",
    PROCESSING: "The payment is being processed; try again once it has settled.",
}


def intent_from_stripe(obj: Mapping[str, Any]) -> Intent:
    """An Intent from a Stripe PaymentIntent, whether an API answer or an event's payload."""
    metadata = obj.get("metadata") or {}
    order_id = metadata.get("order_id")
    error = obj.get("last_payment_error") or {}
    return Intent(
        id=obj["id"],
        client_secret=obj.get("client_secret") or "",
        status=obj["status"],
        amount=int(obj["amount"]),
        currency=str(obj["currency"]).lower(),
        order_id=int(order_id) if isinstance(order_id, str) and order_id.isdigit() else None,
        last_error=error.get("message"),
    )


class StripeGateway:
    """Payments through Stripe's PaymentIntents API (or localstripe, with api_base)."""

    name = "stripe"
    test_mode = False

    def __init__(self, *, secret_key: str, api_base: str | None = None):
        base: BaseAddresses | None = {"api": api_base.rstrip("/")} if api_base else None
        self._client = stripe.StripeClient(
            secret_key,
            base_addresses=base,
            max_network_retries=MAX_NETWORK_RETRIES,
            http_client=stripe.RequestsClient(timeout=TIMEOUT),
        )

    def create_intent(self, *, order_id: int, amount: int, currency: str,
                      idempotency_key: str) -> Intent:
        """A PaymentIntent for an order. No payment-method parameters: the account decides."""
        intent = self._call(
            "create_intent",
            lambda: self._client.v1.payment_intents.create(
                params={"amount": amount, "currency": currency,
                        "metadata": {"order_id": str(order_id)}},
                options={"idempotency_key": idempotency_key},
            ),
            order_id=order_id,
        )
        return intent_from_stripe(intent.to_dict())

    def retrieve_intent(self, intent_id: str) -> Intent:
        if not intent_id:
            raise NotFound("This order has no payment intent.")
        intent = self._call("retrieve_intent",
                            lambda: self._client.v1.payment_intents.retrieve(intent_id),
                            intent_id=intent_id)
        return intent_from_stripe(intent.to_dict())

    def cancel_intent(self, intent_id: str) -> Intent:
        """Cancel an intent; already cancelled is fine, already paid is a StateConflict."""
        try:
            intent = self._client.v1.payment_intents.cancel(intent_id)
        except stripe.InvalidRequestError as error:
            # Stripe refuses to cancel an intent in a final state. Ask which state it is in.
            current = self.retrieve_intent(intent_id)
            if current.status == CANCELED:
                return current
            if current.status in UNCANCELLABLE:
                raise StateConflict(UNCANCELLABLE[current.status],
                                    paymentStatus=current.status) from None
            raise self._provider_error("cancel_intent", error, intent_id=intent_id) from None
        except stripe.StripeError as error:
            raise self._provider_error("cancel_intent", error, intent_id=intent_id) from None
        return intent_from_stripe(intent.to_dict())

    def refund(self, intent_id: str, *, idempotency_key: str) -> None:
        """Refund the whole payment of an intent; a payment already refunded is left as is."""
        try:
            self._client.v1.refunds.create(
                params={"payment_intent": intent_id},
                options={"idempotency_key": idempotency_key},
            )
        except stripe.InvalidRequestError as error:
            if error.code == "charge_already_refunded":
                log.info("payment was already refunded",
                         extra={"intent_id": intent_id, "outcome": "already-refunded"})
                return
            raise self._provider_error("refund", error, intent_id=intent_id) from None
        except stripe.StripeError as error:
            raise self._provider_error("refund", error, intent_id=intent_id) from None

    def _call(self, operation: str, request: Callable[[], T], **fields) -> T:
        try:
            return request()
        except stripe.StripeError as error:
            raise self._provider_error(operation, error, **fields) from None

    @staticmethod
    def _provider_error(operation: str, error: stripe.StripeError,
                        **fields) -> PaymentProviderError:
        log.error("stripe request failed",
                  extra={**fields, "operation": operation, "outcome": "provider-error",
                         "error_type": type(error).__name__, "http_status": error.http_status,
                         "stripe_code": error.code, "request_id": error.request_id})
        return PaymentProviderError(
            "The payment provider did not accept the request; nothing was changed. "
            "Please try again.",
            provider="stripe",
        )


@dataclass(frozen=True)
class WebhookEvent:
    """A verified Stripe event: its id, type and the object it is about."""

    id: str
    type: str
    object: dict = field(default_factory=dict)


def parse_webhook_event(payload: bytes, signature: str | None, secret: str) -> WebhookEvent:
    """Verify a webhook's Stripe-Signature with the endpoint secret and read its event.

    Raises InvalidInput (400) for an unsigned, forged, tampered or stale event, and for a
    signed body that is not a Stripe event.
    """
    try:
        text = payload.decode("utf-8")
        stripe.WebhookSignature.verify_header(text, signature, secret, WEBHOOK_TOLERANCE)
    except (UnicodeDecodeError, stripe.SignatureVerificationError) as error:
        raise InvalidInput(f"The webhook signature does not verify: {error}") from None
    try:
        event = json.loads(text)
        event_id, event_type = event["id"], event["type"]
        obj = event["data"]["object"]
    except (ValueError, KeyError, TypeError):
        raise InvalidInput("The webhook body is not a Stripe event.") from None
    if not (isinstance(event_id, str) and event_id and isinstance(event_type, str)
            and isinstance(obj, dict)):
        raise InvalidInput("The webhook body is not a Stripe event.")
    return WebhookEvent(id=event_id, type=event_type, object=obj)
