"""The payment-provider seam: the one small interface both gateways implement.

The rest of the shop asks `get_gateway()` for the configured gateway and never learns which
one it has: Stripe when STRIPE_SECRET_KEY is set, otherwise the offline test gateway.
"""

from dataclasses import dataclass
from typing import Protocol

from flask import current_app

# Stripe's PaymentIntent statuses that the shop acts on.
SUCCEEDED = "succeeded"
CANCELED = "canceled"
PROCESSING = "processing"
REQUIRES_PAYMENT_METHOD = "requires_payment_method"


@dataclass(frozen=True)
class Intent:
    """What the shop needs to know of a payment intent, whoever keeps it."""

    id: str
    client_secret: str
    status: str
    amount: int
    currency: str
    order_id: int | None = None
    last_error: str | None = None


class PaymentGateway(Protocol):
    name: str
    test_mode: bool

    def create_intent(self, *, order_id: int, amount: int, currency: str,
                      idempotency_key: str, shipping: dict | None = None) -> Intent:
        """`shipping` is the order's address ({name, line1, …, country}) or None."""
        ...

    def retrieve_intent(self, intent_id: str) -> Intent: ...

    def cancel_intent(self, intent_id: str) -> Intent: ...

    def refund(self, intent_id: str, *, idempotency_key: str) -> None: ...


def build_gateway(config) -> PaymentGateway:
    """The gateway the configuration asks for."""
    if config.get("STRIPE_SECRET_KEY"):
        from shop.payments.stripe_gateway import StripeGateway

        return StripeGateway(
            secret_key=config["STRIPE_SECRET_KEY"],
            api_base=config.get("STRIPE_API_BASE"),
        )
    from shop.payments.offline import OfflineGateway

    return OfflineGateway()


def get_gateway() -> PaymentGateway:
    """The current app's payment gateway."""
    return current_app.extensions["shop.payment_gateway"]
