"""Orders, their items (name and price snapshots), and idempotency keys."""

from datetime import datetime

from sqlalchemy import (
    DDL,
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.accounts.models import User
from shop.database import utcnow
from shop.extensions import db
from shop.orders.status import OrderStatus
from shop.payments.models import Dispute


def _in_set(column: str, values) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


class Order(db.Model):
    __tablename__ = "orders"
    __table_args__ = (
        Index("ix_orders_user_id_created_at", "user_id", "created_at"),
        Index("ix_orders_status_created_at", "status", "created_at"),
        CheckConstraint("amount_in_cents >= 0", name="amount_not_negative"),
        CheckConstraint("refunded_in_cents >= 0", name="refunded_not_negative"),
        CheckConstraint("refunded_in_cents <= amount_in_cents", name="refunded_within_amount"),
        CheckConstraint(_in_set("status", [s.value for s in OrderStatus]), name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(16), default=OrderStatus.PENDING)
    # 64-bit: a hundred units of an expensive product pass 2**31 cents.
    amount_in_cents: Mapped[int] = mapped_column(BigInteger)
    # What is refunded or on its way back (refunds pending or succeeded), never above the amount.
    refunded_in_cents: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    currency: Mapped[str] = mapped_column(String(3))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    payment_gateway: Mapped[str | None] = mapped_column(String(16))
    payment_intent_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    client_secret: Mapped[str | None] = mapped_column(String(255))
    payment_error: Mapped[str | None] = mapped_column(String(500))
    # Shipping as chosen when the order was placed (all None for orders placed before
    # shipping existed): the method, its name and price then, the address as given.
    shipping_method_id: Mapped[int | None] = mapped_column(ForeignKey("shipping_methods.id"))
    shipping_name: Mapped[str | None] = mapped_column(String(100))
    shipping_price_in_cents: Mapped[int | None]
    shipping_address: Mapped[dict | None] = mapped_column(JSON)
    # {carrier, number, url?} given when the order was marked shipped.
    tracking: Mapped[dict | None] = mapped_column(JSON)

    user: Mapped[User] = relationship()
    # Loaded with the order in the same query (at most one row): lists cost no more queries.
    dispute: Mapped[Dispute | None] = relationship(lazy="joined", viewonly=True)
    items: Mapped[list["OrderItem"]] = relationship(
        back_populates="order", order_by="OrderItem.id", cascade="all, delete-orphan"
    )

    @property
    def order_status(self) -> OrderStatus:
        return OrderStatus(self.status)

    @property
    def refundable_in_cents(self) -> int:
        """What can still be refunded of this order's amount."""
        return self.amount_in_cents - (self.refunded_in_cents or 0)

    @property
    def products_in_cents(self) -> int:
        """The order's amount without its shipping."""
        return self.amount_in_cents - (self.shipping_price_in_cents or 0)

    def quantities(self) -> dict[int, int]:
        """Units per product id."""
        result: dict[int, int] = {}
        for item in self.items:
            result[item.product_id] = result.get(item.product_id, 0) + item.quantity
        return result


class OrderItem(db.Model):
    __tablename__ = "order_items"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("price_in_cents >= 0", name="price_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    price_in_cents: Mapped[int]
    quantity: Mapped[int]

    order: Mapped[Order] = relationship(back_populates="items", lazy="raise_on_sql")

    @property
    def line_total_in_cents(self) -> int:
        return self.price_in_cents * self.quantity


class IdempotencyKey(db.Model):
    """The order a client's Idempotency-Key first created, so a retry returns it."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_idempotency_keys_user_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# users.orders_version moves whenever a row an order is shown from (the order, its items, its
# dispute) is inserted, updated or deleted, in the writer's own transaction, however it was
# written: the ORM, a Core UPDATE, a migration, psql. Made by migration 0006 and, for a schema
# built from the models, by these DDL events. On PostgreSQL the triggers are deferred to the
# commit, so the user's row is the last lock a transaction takes (see database.transaction).
# SQLite drops a table's triggers when a batch migration rebuilds the table: such a migration
# must create them again.
_OWN_USER = "{row}.user_id"  # an order's
_ORDERS_USER = "(SELECT user_id FROM orders WHERE id = {row}.order_id)"  # an item's, a dispute's
_USER_OF = {"orders": _OWN_USER, "order_items": _ORDERS_USER, "disputes": _ORDERS_USER}
_BUMP = "UPDATE users SET orders_version = orders_version + 1 WHERE id = {user}"
ORDERS_VERSION_FUNCTION = f"""CREATE OR REPLACE FUNCTION orders_version_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE changed RECORD;
BEGIN
    IF TG_OP = 'DELETE' THEN changed := OLD; ELSE changed := NEW; END IF;
    IF TG_TABLE_NAME = 'orders' THEN
        {_BUMP.format(user=_OWN_USER.format(row="changed"))};
    ELSE
        {_BUMP.format(user=_ORDERS_USER.format(row="changed"))};
    END IF;
    RETURN NULL;
END $$"""
ORDERS_VERSION_TRIGGERS = {
    "postgresql": {table: [
        f"CREATE CONSTRAINT TRIGGER {table}_orders_version AFTER INSERT OR UPDATE OR DELETE "
        f"ON {table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
        "EXECUTE FUNCTION orders_version_bump()"] for table in _USER_OF},
    "sqlite": {table: [
        f"CREATE TRIGGER {table}_{operation.lower()}_orders_version AFTER {operation} ON {table} "
        f"FOR EACH ROW BEGIN {_BUMP.format(user=user_of.format(row=row))}; END"
        for operation, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD"))]
        for table, user_of in _USER_OF.items()},
}
event.listen(Order.__table__, "after_create",
             DDL(ORDERS_VERSION_FUNCTION).execute_if(dialect="postgresql"))
for _dialect, _statements in ORDERS_VERSION_TRIGGERS.items():
    for _table, _ddl in _statements.items():
        for _statement in _ddl:
            event.listen(Order.metadata.tables[_table], "after_create",
                         DDL(_statement).execute_if(dialect=_dialect))
