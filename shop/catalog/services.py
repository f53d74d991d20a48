"""The catalog: what is for sale, and the stock left of it."""

from collections.abc import Iterable, Mapping
from typing import cast

from sqlalchemy import CursorResult, select, update

from shop.catalog.models import Product
from shop.database import is_row_id
from shop.exceptions import NotFound, OutOfStock
from shop.extensions import db


def list_products() -> list[Product]:
    """Every product for sale, by name."""
    return list(db.session.scalars(
        select(Product).where(Product.active.is_(True)).order_by(Product.name, Product.id)
    ))


def get_product(product_id: int) -> Product:
    """One product for sale, or NotFound."""
    product = db.session.get(Product, product_id) if is_row_id(product_id) else None
    if product is None or not product.active:
        raise NotFound(f"There is no product {product_id}.")
    return product


def products_by_id(product_ids: Iterable[int]) -> dict[int, Product]:
    """The products for sale among these ids, keyed by id."""
    ids = {i for i in product_ids if is_row_id(i)}
    if not ids:
        return {}
    rows = db.session.scalars(
        select(Product).where(Product.id.in_(ids), Product.active.is_(True))
    )
    return {p.id: p for p in rows}


def take_stock(quantities: Mapping[int, int]) -> None:
    """Take units out of stock, all or none, inside the caller's transaction.

    Each row is decremented by a conditional UPDATE, which the database serialises, so two
    buyers can never both get the last unit. Rows are touched in id order to avoid deadlocks.
    The caller rolls back on OutOfStock so that nothing stays reserved.
    """
    short = []
    for product_id in sorted(quantities):
        wanted = quantities[product_id]
        result = db.session.execute(
            update(Product)
            .where(Product.id == product_id, Product.stock >= wanted)
            .values(stock=Product.stock - wanted)
            .execution_options(synchronize_session=False)
        )
        if cast(CursorResult, result).rowcount != 1:
            short.append(product_id)
    if short:
        left = {p.id: p.stock for p in db.session.scalars(
            select(Product).where(Product.id.in_(short))
            .execution_options(populate_existing=True))}
        raise OutOfStock(
            "Not enough stock for product " + ", ".join(str(i) for i in short) + ".",
            errors=[{"field": "products", "message": f"Only {left.get(i, 0)} left of product {i}."}
                    for i in short],
            productIds=short,
        )


def return_stock(quantities: Mapping[int, int]) -> None:
    """Put units back into stock (a cancelled or expired order)."""
    for product_id in sorted(quantities):
        db.session.execute(
            update(Product)
            .where(Product.id == product_id)
            .values(stock=Product.stock + quantities[product_id])
            .execution_options(synchronize_session=False)
        )
