"""Shipping methods staff offer, and the addresses shoppers save for checkout."""

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from shop.database import utcnow
from shop.extensions import db


class ShippingMethod(db.Model):
    """A way to get an order to the shopper, with its price and the countries it serves."""

    __tablename__ = "shipping_methods"
    __table_args__ = (CheckConstraint("price_in_cents >= 0", name="price_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    price_in_cents: Mapped[int]
    requires_address: Mapped[bool]
    # ISO 3166-1 alpha-2 codes; empty means everywhere.
    countries: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(default=True, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def serves(self, country: str) -> bool:
        return not self.countries or country in self.countries


class SavedAddress(db.Model):
    """An address a shopper keeps on their account to pick at checkout."""

    __tablename__ = "saved_addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    line1: Mapped[str] = mapped_column(String(200))
    line2: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(100))
    postal_code: Mapped[str] = mapped_column(String(20))
    state: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str] = mapped_column(String(2))
    phone: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def as_address(self) -> dict:
        """The address in the API's shape (camelCase, absent parts left out)."""
        address = {"name": self.name, "line1": self.line1, "line2": self.line2,
                   "city": self.city, "postalCode": self.postal_code, "state": self.state,
                   "country": self.country, "phone": self.phone}
        return {k: v for k, v in address.items() if v is not None}
