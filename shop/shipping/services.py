"""Shipping rules: the methods staff offer, choosing one for an order, saved addresses."""

from dataclasses import dataclass

from sqlalchemy import select

from shop.accounts.models import User
from shop.database import is_row_id
from shop.exceptions import InvalidInput, NotFound, UnknownReferences
from shop.extensions import db
from shop.shipping.models import SavedAddress, ShippingMethod
from shop.shipping.schemas import (
    REQUIRED_ADDRESS_FIELDS,
    ShippingAddress,
    ShippingMethodIn,
    ShippingMethodPatch,
)

# What a fresh install offers (the migration inserts the same two rows).
DEFAULT_METHODS = (
    {"name": "Standard shipping", "price_in_cents": 500, "requires_address": True},
    {"name": "Pickup", "price_in_cents": 0, "requires_address": False},
)


@dataclass(frozen=True)
class ShippingChoice:
    """A method chosen for an order and the address it ships to (None for pickup)."""

    method: ShippingMethod
    address: dict | None


def install_default_methods() -> None:
    """Offer Standard shipping and Pickup if the shop has no shipping method at all."""
    if db.session.scalar(select(ShippingMethod.id).limit(1)) is None:
        db.session.add_all(ShippingMethod(countries=[], active=True, **m) for m in DEFAULT_METHODS)
        db.session.commit()


def list_methods(*, include_inactive: bool = False) -> list[ShippingMethod]:
    """Shipping methods by price then name; only active ones unless staff asks."""
    query = select(ShippingMethod).order_by(ShippingMethod.price_in_cents, ShippingMethod.name,
                                            ShippingMethod.id)
    if not include_inactive:
        query = query.where(ShippingMethod.active.is_(True))
    return list(db.session.scalars(query))


def get_method(method_id: int) -> ShippingMethod:
    method = db.session.get(ShippingMethod, method_id) if is_row_id(method_id) else None
    if method is None:
        raise NotFound(f"There is no shipping method {method_id}.")
    return method


def create_method(data: ShippingMethodIn) -> ShippingMethod:
    """Add a shipping method."""
    method = ShippingMethod(name=data.name, price_in_cents=data.price_in_cents,
                            requires_address=data.requires_address,
                            countries=sorted(set(data.countries)), active=data.active)
    db.session.add(method)
    db.session.commit()
    return method


def update_method(method_id: int, data: ShippingMethodPatch) -> ShippingMethod:
    """Change a method; orders placed earlier keep the name and price they were given."""
    method = get_method(method_id)
    changes = data.model_dump(exclude_unset=True)
    for name, value in changes.items():
        if value is None:
            field = type(data).model_fields[name].alias or name
            raise InvalidInput(f"'{field}' cannot be null.",
                               errors=[{"field": field, "message": "Cannot be null."}])
        setattr(method, name, sorted(set(value)) if name == "countries" else value)
    db.session.commit()
    return method


def choose_shipping(method_id: int | None, address: ShippingAddress | None) -> ShippingChoice:
    """Check a method and address for an order; None picks the active method that needs
    no address (the seed's plain array body)."""
    if method_id is None:
        method = db.session.scalar(
            select(ShippingMethod).where(ShippingMethod.active.is_(True),
                                         ShippingMethod.requires_address.is_(False))
            .order_by(ShippingMethod.price_in_cents, ShippingMethod.id).limit(1))
        if method is None:
            raise UnknownReferences(
                "This shop offers no shipping method without an address: send an object body "
                "with shippingMethodId and shippingAddress.",
                errors=[{"field": "shippingMethodId", "message": "Required here."}])
        return ShippingChoice(method, None)
    method = db.session.get(ShippingMethod, method_id) if is_row_id(method_id) else None
    if method is None or not method.active:
        raise UnknownReferences(f"There is no shipping method {method_id} on offer.",
                                errors=[{"field": "shippingMethodId",
                                         "message": f"Unknown shipping method {method_id}."}],
                                shippingMethodId=method_id)
    if not method.requires_address:
        return ShippingChoice(method, address.as_dict() if address else None)
    if address is None:
        raise InvalidInput(
            f"{method.name} needs a shipping address. Missing: "
            + ", ".join(f"shippingAddress.{f}" for f in REQUIRED_ADDRESS_FIELDS) + ".",
            errors=[{"field": f"shippingAddress.{f}", "message": "Required."}
                    for f in REQUIRED_ADDRESS_FIELDS])
    if not method.serves(address.country):
        raise UnknownReferences(
            f"{method.name} does not ship to {address.country}.",
            errors=[{"field": "shippingAddress.country",
                     "message": f"Not served by {method.name}; it ships to "
                                f"{', '.join(method.countries)}."}],
            countries=list(method.countries))
    return ShippingChoice(method, address.as_dict())


def saved_addresses(user: User) -> list[SavedAddress]:
    """The user's saved addresses, newest first."""
    return list(db.session.scalars(select(SavedAddress).where(SavedAddress.user_id == user.id)
                                   .order_by(SavedAddress.id.desc())))


MAX_SAVED_ADDRESSES = 20


def save_address(user: User, address: ShippingAddress) -> SavedAddress:
    """Keep an address on the user's account."""
    if len(saved_addresses(user)) >= MAX_SAVED_ADDRESSES:
        raise InvalidInput(f"An account keeps at most {MAX_SAVED_ADDRESSES} addresses; "
                           "delete one first.")
    row = SavedAddress(user_id=user.id, name=address.name, line1=address.line1,
                       line2=address.line2, city=address.city, postal_code=address.postal_code,
                       state=address.state, country=address.country, phone=address.phone)
    db.session.add(row)
    db.session.commit()
    return row


def delete_address(user: User, address_id: int) -> None:
    """Forget one of the user's saved addresses."""
    row = db.session.get(SavedAddress, address_id) if is_row_id(address_id) else None
    if row is None or row.user_id != user.id:
        raise NotFound("No such address.")
    db.session.delete(row)
    db.session.commit()
