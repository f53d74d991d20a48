"""The shapes of shipping's JSON: declared once, validated at the boundary (pydantic v2).

Text refuses control characters and lone surrogates, integers are whole numbers (a digit
string is taken only where the seed takes one: ids), booleans are JSON booleans.
"""

import re
import unicodedata
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    ValidationError,
)

from shop.database import MAX_INTEGER
from shop.exceptions import InvalidInput
from shop.shipping.countries import COUNTRIES

M = TypeVar("M", bound="BaseModel")

ASCII_DIGITS = re.compile(r"[0-9]{1,10}")


def _clean_text(value: str) -> str:
    if any(unicodedata.category(c) == "Cc" or 0xD800 <= ord(c) <= 0xDFFF for c in value):
        raise ValueError("Control characters and lone surrogates are not allowed.")
    value = value.strip()
    if not value:
        raise ValueError("Required.")
    return value


def _country(value: str) -> str:
    code = value.upper()
    if code not in COUNTRIES:
        raise ValueError("Not an ISO 3166-1 alpha-2 country code.")
    return code


def _id(value: Any) -> Any:
    """An id as the seed sends ids: a JSON integer, or a string of ASCII digits."""
    if isinstance(value, str) and ASCII_DIGITS.fullmatch(value.strip()):
        return int(value.strip())
    return value


def _url(value: str) -> str:
    if not re.match(r"https?://[^\s/]+", value, re.IGNORECASE):
        raise ValueError("Must be an http or https address.")
    return value


def Text(max_length: int):  # noqa: N802 - a type, read as one
    """Trimmed, non-empty text of at most `max_length` characters."""
    return Annotated[str, Field(strict=True, max_length=max_length),
                     AfterValidator(_clean_text)]


Country = Annotated[str, Field(strict=True, max_length=2), AfterValidator(_country)]
Cents = Annotated[StrictInt, Field(ge=0, le=MAX_INTEGER)]
RowId = Annotated[StrictInt, BeforeValidator(_id), Field(ge=1, le=MAX_INTEGER)]


class Schema(BaseModel):
    """Camel-case JSON keys; unknown keys are ignored."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class ShippingAddress(Schema):
    name: Text(200)
    line1: Text(200)
    line2: Text(200) | None = None
    city: Text(100)
    postal_code: Text(20) = Field(alias="postalCode")
    state: Text(100) | None = None
    country: Country
    phone: Text(40) | None = None

    def as_dict(self) -> dict:
        """The address as the API shows it, parts not given left out."""
        return self.model_dump(by_alias=True, exclude_none=True)


REQUIRED_ADDRESS_FIELDS = [
    (field.alias or name) for name, field in ShippingAddress.model_fields.items()
    if field.is_required()
]


class Tracking(Schema):
    carrier: Text(100)
    number: Text(100)
    url: Annotated[Text(500), AfterValidator(_url)] | None = None

    def as_dict(self) -> dict:
        return self.model_dump(exclude_none=True)


class ShippingMethodIn(Schema):
    name: Text(100)
    price_in_cents: Cents = Field(alias="priceInCents")
    requires_address: StrictBool = Field(True, alias="requiresAddress")
    countries: list[Country] = Field(default_factory=list, max_length=300)
    active: StrictBool = True


class ShippingMethodPatch(Schema):
    name: Text(100) | None = None
    price_in_cents: Cents | None = Field(None, alias="priceInCents")
    requires_address: StrictBool | None = Field(None, alias="requiresAddress")
    countries: list[Country] | None = Field(None, max_length=300)
    active: StrictBool | None = None


class OrderShipping(Schema):
    """The shipping part of POST /orders/new's object body."""

    shipping_method_id: RowId = Field(alias="shippingMethodId")
    shipping_address: dict | None = Field(None, alias="shippingAddress")


def _field_name(location: tuple) -> str:
    return ".".join(str(part) for part in location) or "body"


def _message(error: Any) -> str:
    if error["type"] == "missing":
        return "Required."
    message = error["msg"]
    return message.removeprefix("Value error, ")


def parse(model: type[M], data: Any, *, prefix: str = "") -> M:
    """`data` validated as `model`; InvalidInput (400) naming every bad field otherwise."""
    if not isinstance(data, dict):
        raise InvalidInput(f"{prefix or 'The body'} must be a JSON object.",
                           errors=[{"field": prefix or "body", "message": "Must be an object."}])
    try:
        return model.model_validate(data)
    except ValidationError as error:
        errors = [{"field": _field_name(((prefix,) if prefix else ()) + tuple(e["loc"])),
                   "message": _message(e)} for e in error.errors(include_url=False)]
        missing = [e["field"] for e in errors if e["message"] == "Required."]
        if missing:
            detail = "Missing: " + ", ".join(missing) + "."
        else:
            detail = "Some fields are not valid: " + ", ".join(e["field"] for e in errors) + "."
        raise InvalidInput(detail, errors=errors) from None


class ShippingMethodOut(Schema):
    """A shipping method as the API shows it."""

    id: int
    name: str
    price_in_cents: int = Field(alias="priceInCents")
    requires_address: bool = Field(alias="requiresAddress")
    countries: list[str]
    active: bool


class OrderShippingOut(Schema):
    """An order's `shipping`: the method, its name and price when ordered, and the address
    and tracking exactly as they were given (parts not given are left out)."""

    method_id: int | None = Field(alias="methodId")
    name: str
    price_in_cents: int = Field(alias="priceInCents")
    address: dict[str, str] | None = Field(
        json_schema_extra={"description": "The shippingAddress as given"})
    tracking: dict[str, str] | None = Field(
        json_schema_extra={"description": "{carrier, number, url?} given when shipped"})


class NewOrderWithShipping(Schema):
    """The object body of POST /orders/new (documented here; read by orders.api)."""

    products: list[Any] = Field(min_length=1, json_schema_extra={
        "description": "Either array form of the seed's body"})
    shipping_method_id: RowId = Field(alias="shippingMethodId")
    shipping_address: ShippingAddress | None = Field(None, alias="shippingAddress")


def dump_method(method) -> dict:
    """A ShippingMethod as the API shows it."""
    return ShippingMethodOut(id=method.id, name=method.name, priceInCents=method.price_in_cents,
                             requiresAddress=method.requires_address,
                             countries=list(method.countries),
                             active=method.active).model_dump(by_alias=True)


def json_schema(model: type[BaseModel],
                mode: Literal["validation", "serialization"] = "validation") -> dict:
    """The model's JSON Schema for the OpenAPI document."""
    return model.model_json_schema(by_alias=True, mode=mode,
                                   ref_template="#/components/schemas/{model}")
