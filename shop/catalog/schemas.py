"""The catalog's API shapes, declared once: validation, serialisation and OpenAPI come from here.

Built on the shop-wide base (`shop.schemas`): its `Schema`, its one integer rule (`Integer`,
`Cents`) and its one text rule (`Text`). The CSV import reads the same limits from here.
"""

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from shop.catalog.models import StockMovement
from shop.database import MAX_INTEGER
from shop.schemas import Boolean, Cents, Integer, Refused, Schema, Text, Timestamp

MAX_PAGE_SIZE = 100
SKU_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$"
Sku = Annotated[str, Field(pattern=SKU_PATTERN, description="Letters, digits, . _ / -")]
ProductName = Text(200)
Description = Text(5000, required=False, multiline=True)
# A category a product is filed under. Bounded like a count, not left open like RowId: the
# product services look the category up as given, so an id no database holds stops here.
CategoryId = Integer(1, description="A category's id")
Units = Integer(0, description="Units in stock")
ForSale = Boolean(description="false archives the product: kept for old orders, not sold")


def _not_zero(change: int) -> int:
    if change == 0:
        raise ValueError("Must not be zero: say how many units come in (+) or go out (-).")
    return change


class Body(Schema):
    """A catalog request body: a field the shape does not name is refused, not ignored."""

    model_config = ConfigDict(extra="forbid")


# --- requests --------------------------------------------------------------------------------

class CategoryInput(Body):
    """The body of POST /categories and PATCH /categories/{id}."""

    name: Text(100)


class ProductInput(Body):
    """The body of POST /products."""

    name: ProductName
    price_in_cents: Cents
    stock: Units = 0
    sku: Sku | None = None
    description: Description = ""
    category_id: CategoryId | None = None
    active: ForSale = True


class ProductChanges(Body):
    """The body of PATCH /products/{id}: any field of POST but stock; null clears sku, category."""

    name: ProductName = None
    price_in_cents: Cents = None
    sku: Sku | None = None
    description: Description = None
    category_id: CategoryId | None = None
    active: ForSale = None
    stock: Refused("Stock cannot be set directly: post an adjustment to "
                   "/products/{id}/stock.") = None


class StockAdjustment(Body):
    """The body of POST /products/{id}/stock."""

    change: Integer(-MAX_INTEGER, check=_not_zero,
                    description="Units in (+) or out (-), never zero")
    reason: Text(200)


class ProductSort(StrEnum):
    NAME = "name"
    PRICE = "price"
    PRICE_DESCENDING = "-price"
    NEWEST = "newest"


class ProductQuery(Schema):
    """The query of GET /products (and of the catalog pages)."""

    q: Text(200, required=False, description="Words in name or description (websearch syntax "
                                             "on PostgreSQL), or an sku prefix") = ""
    category: Text(120, required=False, description="A category's slug") = ""
    sort: ProductSort = ProductSort.NAME
    limit: Integer(1, MAX_PAGE_SIZE, text=True) | None = None
    offset: Integer(0, text=True) = 0
    active: Literal["true", "false", "all"] = Field(
        "true", description="Staff only: archived products too (all) or only (false)")


class StockHistoryQuery(Schema):
    """The query of GET /products/{id}/stock."""

    limit: Integer(1, MAX_PAGE_SIZE, text=True) | None = None
    offset: Integer(0, text=True) = 0


# --- answers ---------------------------------------------------------------------------------

class CategoryAnswer(Schema):
    """A category (read from its row by from_row)."""

    id: int
    name: str
    slug: str


class ProductAnswer(Schema):
    """A product, as the API answers it (read from its row, category and all, by from_row)."""

    id: int
    sku: str | None
    name: str
    description: str
    price_in_cents: Cents
    stock: Units
    image_url: str | None
    category: CategoryAnswer | None
    active: bool
    created_at: Timestamp


class StockMovementAnswer(Schema):
    """A row of a product's stock ledger."""

    change: int
    reason: str
    stock_after: Units
    user_id: int | None
    order_id: int | None
    at: Timestamp

    @classmethod
    def of(cls, movement: StockMovement) -> "StockMovementAnswer":
        return cls(change=movement.change, reason=movement.reason,
                   stock_after=movement.stock_after, user_id=movement.user_id,
                   order_id=movement.order_id, at=movement.created_at)


class ImportAnswer(Schema):
    """What a CSV import created and updated."""

    created: Integer(0)
    updated: Integer(0)
