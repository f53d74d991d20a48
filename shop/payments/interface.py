"""The payment-provider seam: what a gateway is, and what it tells the shop about an intent.

Both adapters (`offline.py`, `stripe_gateway.py`) import this module and nothing else of the
payments package's plumbing; the factory (`gateway.py`) chooses one; callers type against the
protocols here and never learn which adapter they have.
"""

from dataclasses import dataclass
from typing import Protocol, TypeGuard

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
    """What every gateway does: intents are created, read, cancelled and refunded."""

    name: str
    test_mode: bool

    def create_intent(self, *, order_id: int, amount: int, currency: str,
                      idempotency_key: str) -> Intent: ...

    def retrieve_intent(self, intent_id: str) -> Intent: ...

    def cancel_intent(self, intent_id: str) -> Intent: ...

    def refund(self, intent_id: str, *, idempotency_key: str) -> None: ...


class CardTestingGateway(PaymentGateway, Protocol):
    """A gateway that takes test cards itself (the offline one), in place of Stripe.js."""

    def confirm(self, client_secret: str, card_number: str) -> Intent:
        """Pay an intent with a test card; raises PaymentDeclined for a declining card."""
        ...


def takes_test_cards(gateway: PaymentGateway) -> TypeGuard[CardTestingGateway]:
    """Whether this gateway is in test mode and confirms test cards on the shop's own form."""
    return gateway.test_mode and callable(getattr(gateway, "confirm", None))
