"""Payment records: the offline gateway's intents, the provider events already handled, and
the payment ledger of orders (refunds, disputes, payments that did not match)."""

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from shop.database import utcnow
from shop.extensions import db


class OfflinePaymentIntent(db.Model):
    """A payment intent of the built-in test gateway, shaped like Stripe's."""

    __tablename__ = "offline_payment_intents"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_secret: Mapped[str] = mapped_column(String(128), unique=True)
    order_id: Mapped[int] = mapped_column(index=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(32))
    amount_refunded: Mapped[int] = mapped_column(BigInteger, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PaymentEvent(db.Model):
    """A provider event already processed; its id is recorded once so replays do nothing."""

    __tablename__ = "payment_events"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(100))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class Refund(db.Model):
    """Money given back on an order's payment: one row per refund, as staff asked or the
    provider reported it. Pending and succeeded refunds count against the order's amount."""

    __tablename__ = "refunds"
    __table_args__ = (
        CheckConstraint("amount_in_cents > 0", name="amount_positive"),
        CheckConstraint("status IN ('pending', 'succeeded', 'failed', 'canceled', "
                        "'requires_action')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"),
                                          index=True)
    amount_in_cents: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(String(500))
    provider_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    failure_reason: Mapped[str | None] = mapped_column(String(500))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def holds_money(self) -> bool:
        """Pending or succeeded: the amount is gone from what can still be refunded."""
        return self.status not in ("failed", "canceled")

    @property
    def idempotency_key(self) -> str:
        """Stripe's idempotency key of this refund: a retry refunds once."""
        return f"refund-{self.order_id}-{self.id}"


class Dispute(db.Model):
    """A chargeback (or an inquiry) the buyer's bank opened on an order's payment."""

    __tablename__ = "disputes"
    __table_args__ = (
        CheckConstraint("amount_in_cents >= 0", name="amount_not_negative"),
        CheckConstraint("status IN ('needs_response', 'under_review', 'won', 'lost')",
                        name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # One per order: an order has one payment, and Stripe lets a charge be disputed once.
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"),
                                          unique=True)
    provider_id: Mapped[str] = mapped_column(String(255), unique=True)
    status: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(String(100))
    amount_in_cents: Mapped[int] = mapped_column(BigInteger)
    due_by: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def is_open(self) -> bool:
        return self.status in ("needs_response", "under_review")


class PaymentMismatch(db.Model):
    """A payment whose amount or currency is not the order's: kept, flagged, never `paid`."""

    __tablename__ = "payment_mismatches"
    __table_args__ = (
        UniqueConstraint("order_id", "intent_id", name="uq_payment_mismatches_order_intent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"),
                                          index=True)
    intent_id: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(32))
    amount_in_cents: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    source: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
