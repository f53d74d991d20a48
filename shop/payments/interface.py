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


# Stripe's Refund statuses. Pending and succeeded refunds hold money; the others gave up.
REFUND_PENDING = "pending"
REFUND_SUCCEEDED = "succeeded"
REFUND_FAILED = "failed"
REFUND_CANCELED = "canceled"
REFUND_REQUIRES_ACTION = "requires_action"
REFUND_STATUSES = (REFUND_PENDING, REFUND_SUCCEEDED, REFUND_FAILED, REFUND_CANCELED,
                   REFUND_REQUIRES_ACTION)
REFUND_GAVE_UP = frozenset({REFUND_FAILED, REFUND_CANCELED})


@dataclass(frozen=True)
class ProviderRefund:
    """A refund as the provider keeps it; `shop_refund_id` is the shop's ledger row, if any."""

    id: str
    amount: int
    status: str
    intent_id: str | None = None
    failure_reason: str | None = None
    shop_refund_id: int | None = None


@dataclass(frozen=True)
class PaymentState:
    """Everything the provider knows now about an intent's money: the intent and its refunds."""

    intent: Intent
    amount_refunded: int
    refunds: tuple[ProviderRefund, ...] = ()


class PaymentGateway(Protocol):
    """What every gateway does: intents are created, read, cancelled and refunded."""

    name: str
    test_mode: bool

    def create_intent(self, *, order_id: int, amount: int, currency: str,
                      idempotency_key: str, description: str | None = None,
                      receipt_email: str | None = None, shipping: dict | None = None) -> Intent:
        """`shipping` is the order's address ({name, line1, …, country}) or None."""
        ...

    def retrieve_intent(self, intent_id: str) -> Intent: ...

    def payment_state(self, intent_id: str) -> PaymentState:
        """The intent and its refunds, as the provider has them now."""
        ...

    def cancel_intent(self, intent_id: str) -> Intent: ...

    def refund(self, intent_id: str, *, amount: int, idempotency_key: str,
               reason: str | None = None, shop_refund_id: int | None = None
               ) -> ProviderRefund: ...


class CardTestingGateway(PaymentGateway, Protocol):
    """A gateway that takes test cards itself (the offline one), in place of Stripe.js."""

    def confirm(self, client_secret: str, card_number: str) -> Intent:
        """Pay an intent with a test card; raises PaymentDeclined for a declining card."""
        ...


def takes_test_cards(gateway: PaymentGateway) -> TypeGuard[CardTestingGateway]:
    """Whether this gateway is in test mode and confirms test cards on the shop's own form."""
    return gateway.test_mode and callable(getattr(gateway, "confirm", None))
