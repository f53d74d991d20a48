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
from typing import Any, TypeVar, cast

import stripe
from stripe._base_address import BaseAddresses
from stripe.params import PaymentIntentCreateParams

from shop.exceptions import InvalidInput, NotFound, PaymentProviderError, StateConflict
from shop.payments.interface import (
    CANCELED,
    PROCESSING,
    REFUND_PENDING,
    SUCCEEDED,
    Intent,
    PaymentState,
    ProviderRefund,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

# The Stripe API version every request names, pinned here rather than left to the library's
# default, so that upgrading the library never changes the shapes the shop reads. The webhook
# endpoint in Stripe's dashboard must be created with this same version (docs/stripe.md).
API_VERSION = "2026-10-28.endive"
# Seconds to wait for Stripe (connect and read). A checkout waits on it: with Stripe hung a
# buyer gets a 502 after TIMEOUT × (1 + MAX_NETWORK_RETRIES) seconds at worst, and no lock is
# held meanwhile (see place_order).
TIMEOUT = 4
# Retries of network failures; safe because every write carries an idempotency key.
MAX_NETWORK_RETRIES = 1
# Stripe's refund statuses the shop records as they are; anything unknown counts as pending.
REFUND_STATUSES = {"pending", "succeeded", "failed", "canceled", "requires_action"}
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


def refund_from_stripe(obj: Mapping[str, Any], intent_id: str | None = None) -> ProviderRefund:
    """A ProviderRefund from a Stripe Refund, whether an API answer or an event's payload."""
    metadata = obj.get("metadata") or {}
    shop_id = metadata.get("shop_refund_id")
    status = obj.get("status") or REFUND_PENDING
    intent = obj.get("payment_intent")
    return ProviderRefund(
        id=obj["id"],
        amount=int(obj["amount"]),
        status=status if status in REFUND_STATUSES else REFUND_PENDING,
        intent_id=intent if isinstance(intent, str) else intent_id,
        failure_reason=obj.get("failure_reason"),
        shop_refund_id=int(shop_id) if isinstance(shop_id, str) and shop_id.isdigit() else None,
    )


def intent_params(*, order_id: int, amount: int, currency: str, shipping: dict | None,
                  shipping_field: bool = True) -> dict:
    """The parameters of a new PaymentIntent: the order, and where it ships to.

    The address goes in Stripe's `shipping` (shown in the Dashboard, used by Radar) and, as
    text, in the metadata, which every Stripe-compatible host keeps.
    """
    metadata = {"order_id": str(order_id)}
    params: dict[str, Any] = {"amount": amount, "currency": currency, "metadata": metadata}
    if shipping:
        parts = [shipping.get(k) for k in ("line1", "line2", "postalCode", "city", "state",
                                           "country")]
        metadata["shipping_name"] = shipping["name"][:500]
        metadata["shipping_address"] = ", ".join(p for p in parts if p)[:500]
        if shipping_field:
            address = {"line1": shipping["line1"], "line2": shipping.get("line2"),
                       "city": shipping["city"], "postal_code": shipping["postalCode"],
                       "state": shipping.get("state"), "country": shipping["country"]}
            params["shipping"] = {
                "name": shipping["name"],
                "address": {k: v for k, v in address.items() if v},
                **({"phone": shipping["phone"]} if shipping.get("phone") else {}),
            }
    return params


class StripeGateway:
    """Payments through Stripe's PaymentIntents API (or localstripe, with api_base)."""

    name = "stripe"
    test_mode = False

    def __init__(self, *, secret_key: str, api_base: str | None = None,
                 statement_descriptor_suffix: str | None = None,
                 timeout: float = TIMEOUT, max_network_retries: int = MAX_NETWORK_RETRIES):
        base: BaseAddresses | None = {"api": api_base.rstrip("/")} if api_base else None
        self.statement_descriptor_suffix = statement_descriptor_suffix or None
        self.timeout = timeout
        self.max_network_retries = max_network_retries
        # Stripe-compatible hosts (localstripe) refuse the `shipping` parameter; the metadata
        # copy of the address reaches them all.
        self._shipping_field = not api_base
        self._client = stripe.StripeClient(
            secret_key,
            base_addresses=base,
            stripe_version=API_VERSION,
            max_network_retries=max_network_retries,
            http_client=stripe.RequestsClient(timeout=timeout),
        )

    def create_intent(self, *, order_id: int, amount: int, currency: str,
                      idempotency_key: str, description: str | None = None,
                      receipt_email: str | None = None, shipping: dict | None = None) -> Intent:
        """A PaymentIntent for an order. No payment-method parameters: the account decides."""
        params = intent_params(order_id=order_id, amount=amount, currency=currency,
                               shipping=shipping, shipping_field=self._shipping_field)
        if description:
            params["description"] = description
        if receipt_email:
            params["receipt_email"] = receipt_email
        if self.statement_descriptor_suffix:
            params["statement_descriptor_suffix"] = self.statement_descriptor_suffix
        intent = self._call(
            "create_intent",
            lambda: self._client.v1.payment_intents.create(
                params=cast(PaymentIntentCreateParams, params),
                options={"idempotency_key": idempotency_key}),
            order_id=order_id,
        )
        return intent_from_stripe(intent.to_dict())

    def payment_state(self, intent_id: str) -> PaymentState:
        """The intent and every refund of its payment, as Stripe has them now."""
        intent = self.retrieve_intent(intent_id)
        if intent.status not in (SUCCEEDED, PROCESSING):
            return PaymentState(intent=intent, amount_refunded=0)
        page = self._call("list_refunds",
                          lambda: self._client.v1.refunds.list(
                              params={"payment_intent": intent_id, "limit": 100}),
                          intent_id=intent_id)
        refunds = tuple(refund_from_stripe(r.to_dict(), intent_id) for r in page.data)
        held = sum(r.amount for r in refunds if r.status not in ("failed", "canceled"))
        return PaymentState(intent=intent, amount_refunded=held, refunds=refunds)

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

    def refund(self, intent_id: str, *, amount: int, idempotency_key: str,
               reason: str | None = None, shop_refund_id: int | None = None
               ) -> ProviderRefund:
        """Refund part or all of an intent's payment; the key makes a retry refund once."""
        metadata = {}
        if shop_refund_id is not None:
            metadata["shop_refund_id"] = str(shop_refund_id)
        if reason:
            # Stripe's own `reason` is an enumeration; the staff's words go in the metadata.
            metadata["reason"] = reason[:500]
        try:
            refund = self._client.v1.refunds.create(
                params={"payment_intent": intent_id, "amount": amount, "metadata": metadata},
                options={"idempotency_key": idempotency_key},
            )
        except stripe.InvalidRequestError as error:
            if error.code == "charge_already_refunded":
                raise StateConflict("The payment was already refunded in full.") from None
            raise self._provider_error("refund", error, intent_id=intent_id) from None
        except stripe.StripeError as error:
            raise self._provider_error("refund", error, intent_id=intent_id) from None
        return refund_from_stripe(refund.to_dict(), intent_id)

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
