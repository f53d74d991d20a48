"""The built-in offline test gateway: nothing leaves the machine.

Its intents are real rows with Stripe-like ids and client secrets, and cards behave as Stripe's
test cards do: 4242 4242 4242 4242 succeeds, 4000 0000 0000 0002 is declined.
"""

import secrets

from sqlalchemy import select

from shop.exceptions import InvalidInput, NotFound, PaymentDeclined, StateConflict
from shop.extensions import db
from shop.payments.interface import (
    CANCELED,
    REFUND_SUCCEEDED,
    REQUIRES_PAYMENT_METHOD,
    SUCCEEDED,
    Intent,
    PaymentState,
    ProviderRefund,
)
from shop.payments.models import OfflinePaymentIntent

# Stripe's documented test cards and the outcome each gives, as Stripe words it.
DECLINES = {
    "4000000000000002": "Your card was declined.",
    "4000000000009995": "Your card has insufficient funds.",
    "4000000000000069": "Your card has expired.",
    "4000000000000127": "Your card's security code is incorrect.",
    "4000000000000341": "Your card was declined.",
}


def luhn_valid(number: str) -> bool:
    total = 0
    for i, digit in enumerate(reversed(number)):
        d = int(digit)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _intent(row: OfflinePaymentIntent) -> Intent:
    return Intent(id=row.id, client_secret=row.client_secret, status=row.status,
                  amount=row.amount, currency=row.currency, order_id=row.order_id,
                  last_error=row.last_error)


class OfflineGateway:
    """The CardTestingGateway of development and tests: intents are rows of this database."""

    name = "offline"
    test_mode = True

    def create_intent(self, *, order_id: int, amount: int, currency: str,
                      idempotency_key: str, description: str | None = None,
                      receipt_email: str | None = None, shipping: dict | None = None) -> Intent:
        # The address stays on the order; nothing leaves the machine to need it.
        intent_id = "pi_test_" + secrets.token_hex(12)
        row = OfflinePaymentIntent(
            id=intent_id,
            client_secret=f"{intent_id}_secret_{secrets.token_urlsafe(18)}",
            order_id=order_id, amount=amount, currency=currency, status=REQUIRES_PAYMENT_METHOD,
        )
        db.session.add(row)
        db.session.flush()
        return _intent(row)

    def _row(self, intent_id: str, *, lock: bool = False) -> OfflinePaymentIntent:
        query = select(OfflinePaymentIntent).where(OfflinePaymentIntent.id == intent_id)
        if lock:
            # Callers hold the intent's order already: order before payment (see transaction()).
            query = query.with_for_update().execution_options(populate_existing=True)
        row = db.session.scalar(query)
        if row is None:
            raise NotFound(f"No payment intent {intent_id}.")
        return row

    def retrieve_intent(self, intent_id: str) -> Intent:
        return _intent(self._row(intent_id))

    def cancel_intent(self, intent_id: str) -> Intent:
        row = self._row(intent_id, lock=True)
        if row.status == SUCCEEDED:
            raise StateConflict("The payment has already succeeded; refund it instead.")
        row.status = CANCELED
        return _intent(row)

    def payment_state(self, intent_id: str) -> PaymentState:
        row = self._row(intent_id)
        return PaymentState(intent=_intent(row), amount_refunded=row.amount_refunded)

    def refund(self, intent_id: str, *, amount: int, idempotency_key: str,
               reason: str | None = None, shop_refund_id: int | None = None
               ) -> ProviderRefund:
        row = self._row(intent_id, lock=True)
        if row.status != SUCCEEDED:
            raise StateConflict("Only a payment that succeeded can be refunded.")
        if amount <= 0 or row.amount_refunded + amount > row.amount:
            raise StateConflict("The refund is more than what is left of the payment.")
        row.amount_refunded += amount
        return ProviderRefund(id="re_test_" + secrets.token_hex(12), amount=amount,
                              status=REFUND_SUCCEEDED, intent_id=intent_id,
                              shop_refund_id=shop_refund_id)

    def confirm(self, client_secret: str, card_number: str) -> Intent:
        """Pay an intent with a test card, as Stripe.js would; raises PaymentDeclined.

        The caller locks the intent's order first (order before payment).
        """
        row = db.session.scalar(
            select(OfflinePaymentIntent).where(OfflinePaymentIntent.client_secret == client_secret)
            .with_for_update().execution_options(populate_existing=True)
        )
        if row is None:
            raise NotFound("No payment with that client secret.")
        if row.status == SUCCEEDED:
            return _intent(row)
        if row.status == CANCELED:
            raise StateConflict("This payment was cancelled.")
        number = "".join(card_number.split())
        if not number.isdigit() or not 12 <= len(number) <= 19 or not luhn_valid(number):
            raise InvalidInput("Your card number is invalid.",
                               errors=[{"field": "cardNumber", "message": "Not a card number."}])
        if number in DECLINES:
            row.last_error = DECLINES[number]
            row.status = REQUIRES_PAYMENT_METHOD
            raise PaymentDeclined(row.last_error, declineCode="card_declined")
        row.status = SUCCEEDED
        row.last_error = None
        return _intent(row)
