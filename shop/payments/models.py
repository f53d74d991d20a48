"""Payment records: the offline gateway's intents and the provider events already handled."""

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from shop.database import utcnow
from shop.extensions import db


class OfflinePaymentIntent(db.Model):
    """A payment intent of the built-in test gateway, shaped like Stripe's."""

    __tablename__ = "offline_payment_intents"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_secret: Mapped[str] = mapped_column(String(128), unique=True)
    order_id: Mapped[int] = mapped_column(index=True)
    amount: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(32))
    amount_refunded: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PaymentEvent(db.Model):
    """A provider event already processed; its id is recorded once so replays do nothing."""

    __tablename__ = "payment_events"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(100))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
