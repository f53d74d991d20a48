"""The JSON shapes of the payment ledger: a refund asked for, a refund and a dispute answered.

Declared on the shared schema base (camelCase on the wire). The Order's `dispute` is
`DisputeOut`; the Order schema itself lives with the orders API.
"""

from typing import Literal, cast

from shop.payments.models import Refund
from shop.schemas import Cents, Integer, Schema, Text, Timestamp

# Past what the order has left the service answers 409, so no upper bound is declared here.
RefundAmount = Integer(1, None, description="Money in the currency's minor unit")


RefundStatus = Literal["pending", "succeeded", "failed", "canceled", "requires_action"]
DisputeStatus = Literal["needs_response", "under_review", "won", "lost"]


class NewRefund(Schema):
    """Body of POST /orders/{id}/refunds: an amount in the currency's minor unit (without it,
    what is left) and a reason."""

    amount_in_cents: RefundAmount | None = None
    reason: Text(500, required=False, nullable=True) = None


class RefundOut(Schema):
    """A refund, as POST /orders/{id}/refunds answers it and GET lists it."""

    id: int
    amount_in_cents: Cents
    status: RefundStatus
    reason: str | None
    created_at: Timestamp

    @classmethod
    def of(cls, refund: Refund) -> "RefundOut":
        return cls(id=refund.id, amount_in_cents=refund.amount_in_cents,
                   status=cast(RefundStatus, refund.status), reason=refund.reason,
                   created_at=refund.created_at)


class DisputeOut(Schema):
    """An order's dispute, as the Order's `dispute` shows it."""

    status: DisputeStatus
    reason: str | None
    amount_in_cents: Cents
    due_by: Timestamp | None
