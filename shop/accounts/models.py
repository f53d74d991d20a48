"""Users and their API tokens."""

from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.database import utcnow
from shop.extensions import db


class Role(StrEnum):
    CUSTOMER = "customer"
    STAFF = "staff"


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('customer', 'staff')", name="role_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16), default=Role.CUSTOMER)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Part of every login session's id; raising it ends every session made before.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    # Moves whenever one of the user's orders, its items or its dispute is written, in the same
    # transaction (database triggers: shop.orders.models.ORDERS_VERSION_TRIGGERS). What is
    # worked out from the user's orders can be kept under it: see shop.orders.kept.
    orders_version: Mapped[int] = mapped_column(default=0, server_default="0")

    tokens: Mapped[list["ApiToken"]] = relationship(back_populates="user",
                                                    order_by="ApiToken.id.desc()")

    @property
    def is_staff(self) -> bool:
        return self.role == Role.STAFF

    def get_id(self) -> str:
        """What the session keeps: the id and the session version it was made under."""
        return f"{self.id}:{self.session_version}"


class ApiToken(db.Model):
    """A bearer token for scripts. Only its SHA-256 is stored; the token is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="tokens", lazy="raise_on_sql")

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
