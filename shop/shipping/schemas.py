"""The shapes of shipping's JSON: declared once, validated at the boundary.

Built on the shop-wide base (`shop.schemas`): its Schema, its one text rule (`Text`), its one
integer rule (`Integer`, `Cents`) and its booleans. A country is a text with a rule of its own.
"""

import re
from typing import Any, TypeVar

from pydantic import BaseModel, Field

from shop.database import MAX_INTEGER
from shop.schemas import Boolean, Cents, Integer, Schema, Text, input_problem, validate
from shop.shipping.countries import COUNTRIES

M = TypeVar("M", bound=BaseModel)


def _country(value: str) -> str:
    code = value.upper()
    if code not in COUNTRIES:
        raise ValueError("Not an ISO 3166-1 alpha-2 country code.")
    return code


def _url(value: str) -> str:
    if not re.match(r"https?://[^\s/]+", value, re.IGNORECASE):
        raise ValueError("Must be an http or https address.")
    return value


Country = Text(2, check=_country, description="An ISO 3166-1 alpha-2 country code")
# A method's id as the seed sends ids: a JSON integer or a string of digits.
MethodId = Integer(1, MAX_INTEGER, text=True, description="A shipping method's id")
MAX_COUNTRIES = 300


class ShippingAddress(Schema):
    name: Text(200)
    line1: Text(200)
    line2: Text(200, nullable=True) = None
    city: Text(100)
    postal_code: Text(20)
    state: Text(100, nullable=True) = None
    country: Country
    phone: Text(40, nullable=True) = None

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
    url: Text(500, nullable=True, check=_url) = None

    def as_dict(self) -> dict:
        return self.model_dump(exclude_none=True)


class ShippingMethodIn(Schema):
    name: Text(100)
    price_in_cents: Cents
    requires_address: Boolean() = True
    countries: list[Country] = Field(default_factory=list, max_length=MAX_COUNTRIES)
    active: Boolean() = True


class ShippingMethodPatch(Schema):
    """Any field of ShippingMethodIn; one not sent is left as it is, and none may be null."""

    name: Text(100) = None
    price_in_cents: Cents = None
    requires_address: Boolean() = None
    countries: list[Country] | None = Field(None, max_length=MAX_COUNTRIES)
    active: Boolean() = None


class OrderShipping(Schema):
    """The shipping part of POST /orders/new's object body."""

    shipping_method_id: MethodId
    shipping_address: dict | None = None


def parse(model: type[M], data: Any, *, prefix: str = "") -> M:
    """`data` validated as `model`, an object (under `prefix` in a larger body: its fields
    are named prefix.field); InvalidInput (400) naming every bad field otherwise."""
    if not isinstance(data, dict):
        raise input_problem(prefix or "body", "Must be an object.",
                            f"{prefix or 'The body'} must be a JSON object.")
    return validate(model, data, detail=f"'{prefix}' is not valid." if prefix
                    else "The request is not valid.", at=(prefix,) if prefix else ())


class ShippingMethodOut(Schema):
    """A shipping method as the API shows it."""

    id: int
    name: str
    price_in_cents: int
    requires_address: bool
    countries: list[str]
    active: bool


class OrderShippingOut(Schema):
    """An order's `shipping`: the method, its name and price when ordered, and the address
    and tracking exactly as they were given (parts not given are left out)."""

    method_id: int | None
    name: str
    price_in_cents: int
    address: dict[str, str] | None = Field(
        json_schema_extra={"description": "The shippingAddress as given"})
    tracking: dict[str, str] | None = Field(
        json_schema_extra={"description": "{carrier, number, url?} given when shipped"})


class NewOrderWithShipping(Schema):
    """The object body of POST /orders/new (documented here; read by orders.api)."""

    products: list[Any] = Field(min_length=1, json_schema_extra={
        "description": "Either array form of the seed's body"})
    shipping_method_id: MethodId
    shipping_address: ShippingAddress | None = None


def dump_method(method) -> dict:
    """A ShippingMethod as the API shows it."""
    return ShippingMethodOut(id=method.id, name=method.name, price_in_cents=method.price_in_cents,
                             requires_address=method.requires_address,
                             countries=list(method.countries), active=method.active).to_json()
