"""The catalog's API shapes, declared once: validation, serialisation and OpenAPI come from here.

Written in the spirit of the shop-wide schema base (camelCase aliases, strict JSON types,
ASCII-digit query integers bounded to the database's, text without control characters or
lone surrogates); `shop.schemas.validate` turns a ValidationError into the shop's 400.
"""

import re
import unicodedata
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
)
from pydantic.alias_generators import to_camel

from shop.database import MAX_INTEGER

# --- field types -----------------------------------------------------------------------------

def _refuse_control_characters(value: str, *, multiline: bool) -> str:
    allowed = {"\n", "\r", "\t"} if multiline else set()
    for char in value:
        category = unicodedata.category(char)
        if category == "Cs":
            raise ValueError("Must not contain unpaired surrogate characters.")
        if category == "Cc" and char not in allowed:
            raise ValueError("Must not contain control characters.")
    return value


def _line(value: str) -> str:
    return _refuse_control_characters(value, multiline=False).strip()


def _paragraphs(value: str) -> str:
    return _refuse_control_characters(value, multiline=True)


def _ascii_digits(value: Any) -> Any:
    """Query-string integers: the ASCII digits 0-9 only ('²' and '٣' are digits to Python)."""
    if isinstance(value, str):
        if not re.fullmatch(r"[0-9]{1,10}", value):
            raise ValueError("Must be a whole number written with the digits 0-9.")
        return int(value)
    return value


# One line of text: no control characters, no lone surrogates, surrounding spaces dropped.
Line = Annotated[str, AfterValidator(_line)]
# Free text that may span lines (tabs and newlines allowed, other control characters not).
Paragraphs = Annotated[str, AfterValidator(_paragraphs)]
RowId = Annotated[int, Field(ge=1, le=MAX_INTEGER)]
Count = Annotated[int, Field(ge=0, le=MAX_INTEGER)]
QueryInt = Annotated[int, BeforeValidator(_ascii_digits), Field(ge=0, le=MAX_INTEGER)]

SKU_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$"
Sku = Annotated[str, Field(pattern=SKU_PATTERN, description="Letters, digits, . _ / -")]
Name = Annotated[Line, Field(min_length=1, max_length=200)]


class Schema(BaseModel):
    """Strict JSON: no coercion of "5" into 5 or 1 into true, unknown fields refused."""

    model_config = ConfigDict(strict=True, extra="forbid", alias_generator=to_camel,
                              validate_by_name=True, validate_by_alias=True)


class Answer(BaseModel):
    """A response shape (serialised by alias)."""

    model_config = ConfigDict(alias_generator=to_camel, validate_by_name=True,
                              validate_by_alias=True)

    def dump(self) -> dict:
        return self.model_dump(by_alias=True, mode="json")


# --- requests --------------------------------------------------------------------------------

class CategoryInput(Schema):
    name: Annotated[Line, Field(min_length=1, max_length=100)]


class ProductInput(Schema):
    """The body of POST /products."""

    name: Name
    price_in_cents: Count
    stock: Count = 0
    sku: Sku | None = None
    description: Annotated[Paragraphs, Field(max_length=5000)] = ""
    category_id: RowId | None = None
    active: bool = True


class ProductChanges(Schema):
    """The body of PATCH /products/{id}: any field of POST except stock."""

    name: Name | None = None
    price_in_cents: Count | None = None
    sku: Sku | None = None
    description: Annotated[Paragraphs, Field(max_length=5000)] | None = None
    category_id: RowId | None = None
    active: bool | None = None
    stock: Any = Field(default=None, description="Refused: stock moves only by adjustment.")

    @field_validator("stock", mode="before")
    @classmethod
    def _stock_moves_by_adjustment(cls, value):
        raise ValueError("Stock cannot be set directly: post an adjustment to "
                         "/products/{id}/stock.")

    @field_validator("name", "price_in_cents", "description", "active", mode="before")
    @classmethod
    def _not_null(cls, value):
        if value is None:
            raise ValueError("Must not be null.")
        return value


class StockAdjustment(Schema):
    """The body of POST /products/{id}/stock."""

    change: Annotated[int, Field(ge=-MAX_INTEGER, le=MAX_INTEGER)]
    reason: Annotated[Line, Field(min_length=1, max_length=200)]

    @field_validator("change")
    @classmethod
    def _not_zero(cls, value: int) -> int:
        if value == 0:
            raise ValueError("Must not be zero: say how many units come in (+) or go out (-).")
        return value


class ProductSort(StrEnum):
    NAME = "name"
    PRICE = "price"
    PRICE_DESCENDING = "-price"
    NEWEST = "newest"


class ProductQuery(Schema):
    """The query of GET /products (and of the catalog pages)."""

    model_config = ConfigDict(extra="ignore")

    q: Annotated[Line, Field(max_length=200)] = ""
    category: Annotated[Line, Field(max_length=120)] = ""
    sort: ProductSort = ProductSort.NAME
    limit: Annotated[QueryInt, Field(ge=1, le=100)] | None = None
    offset: QueryInt = 0
    active: Annotated[str, Field(pattern="^(all|true|false)$")] = "true"

    @field_validator("sort", mode="before")
    @classmethod
    def _sort_from_text(cls, value):
        try:
            return ProductSort(value)
        except ValueError:
            raise ValueError("One of: " + ", ".join(s.value for s in ProductSort) + ".") from None


# --- answers ---------------------------------------------------------------------------------

class CategoryAnswer(Answer):
    id: int
    name: str
    slug: str


class ProductAnswer(Answer):
    id: int
    sku: str | None
    name: str
    description: str
    price_in_cents: int = Field(ge=0)
    stock: int = Field(ge=0)
    image_url: str | None
    category: CategoryAnswer | None
    active: bool
    created_at: str = Field(pattern=r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


class StockMovementAnswer(Answer):
    change: int
    reason: str
    stock_after: int = Field(ge=0)
    user_id: int | None
    order_id: int | None
    at: str = Field(pattern=r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


class ImportAnswer(Answer):
    created: int = Field(ge=0)
    updated: int = Field(ge=0)
