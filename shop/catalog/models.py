"""Products for sale, their categories, and the stock ledger that every stock change goes
through."""

from datetime import datetime

from sqlalchemy import (
    DDL,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    event,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from shop.database import utcnow
from shop.extensions import db

# The text PostgreSQL's full-text search looks in. The GIN index below and the search query
# (services.search_filter) use this very expression, so the planner can use the index.
SEARCH_DOCUMENT = "to_tsvector('english', coalesce(name, '') || ' ' || coalesce(description, ''))"

# Why a product was created with stock, when nothing more specific was said.
OPENING_STOCK = "opening stock"


class Category(db.Model):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)


class Product(db.Model):
    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint("stock >= 0", name="stock_not_negative"),
        CheckConstraint("price_in_cents >= 0", name="price_not_negative"),
        Index("ix_products_category_id_active", "category_id", "active"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str | None] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    price_in_cents: Mapped[int]
    # Changed only by shop.catalog.services through the stock ledger (StockMovement).
    stock: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True, index=True)
    # A demo SVG under /static, or the product-page fallback of an uploaded image.
    image_url: Mapped[str | None] = mapped_column(String(500))
    # An uploaded image: the content hash its files are named by, and the fallback format.
    image_key: Mapped[str | None] = mapped_column(String(64))
    image_fallback: Mapped[str | None] = mapped_column(String(8))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    # Joined: every place that shows a product shows its category; never a query per row.
    category: Mapped[Category | None] = relationship(lazy="joined")


class StockMovement(db.Model):
    """One change of a product's stock: the ledger. Its rows sum to the product's stock."""

    __tablename__ = "stock_movements"
    __table_args__ = (
        CheckConstraint("change <> 0", name="change_not_zero"),
        CheckConstraint("stock_after >= 0", name="stock_after_not_negative"),
        Index("ix_stock_movements_product_id_id", "product_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    change: Mapped[int]
    reason: Mapped[str] = mapped_column(String(200))
    stock_after: Mapped[int]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"),
                                                 index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    product: Mapped[Product] = relationship()
    user: Mapped["User | None"] = relationship()  # noqa: F821 (shop.accounts.models)


# Full-text search over name and description: PostgreSQL only (SQLite searches with LIKE).
# Made by migration 0003 and, for a schema built from the models, by this DDL event.
# The SKU prefix match (lower(sku) LIKE 'ab%') has its own index, so that the OR of the two
# stays an index scan (a BitmapOr) instead of reading the whole table.
SEARCH_INDEXES = (
    f"CREATE INDEX ix_products_search ON products USING gin (({SEARCH_DOCUMENT}))",
    "CREATE INDEX ix_products_sku_prefix ON products (lower(sku) text_pattern_ops)",
)
for statement in SEARCH_INDEXES:
    event.listen(Product.__table__, "after_create",
                 DDL(statement).execute_if(dialect="postgresql"))


@event.listens_for(Session, "before_flush")
def _record_opening_stock(session: Session, flush_context, instances) -> None:
    """A product that comes into being with stock gets its opening row in the ledger, so the
    ledger agrees with stock from the first moment, whoever created the product."""
    new = [obj for obj in session.new if isinstance(obj, Product) and obj.stock]
    if not new:
        return
    covered = {id(m.product) for m in session.new if isinstance(m, StockMovement)}
    for product in new:
        if id(product) not in covered:
            session.add(StockMovement(product=product, change=product.stock,
                                      stock_after=product.stock, reason=OPENING_STOCK))
