"""The catalog: what is for sale, its categories, and the stock ledger.

Stock moves only through the functions of this module, and each move writes its row in the
ledger (StockMovement) in the caller's transaction, with the stock it left behind: orders
through `take_stock` / `return_stock`, staff through `adjust_stock`, imports through
`shop.catalog.csv_io`. Each move is a conditional UPDATE … RETURNING on the product's row, which
the database serialises, so the ledger's rows for one product follow each other in id order.

What every shopper sees of the catalog is cached (shop.cache); `catalog_changed` is the one
hook that forgets it, called for every write to products or categories, whichever function
or script makes it, and taking effect when that write commits.
"""

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import ColumnElement, event, func, insert, or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from shop import cache
from shop.catalog.models import (
    OPENING_STOCK,
    SEARCH_DOCUMENT,
    Category,
    Product,
    StockMovement,
)
from shop.database import MAX_INTEGER, InList, is_row_id, transaction, utcnow
from shop.exceptions import (
    InvalidInput,
    NotFound,
    OutOfStock,
    StateConflict,
    UnknownReferences,
)
from shop.extensions import db

ORDER_PLACED = "order placed"
ORDER_CANCELLED = "order cancelled"
ORDER_EXPIRED = "order expired"
PAYMENT_FAILED = "payment failed"  # for return_stock when an order's payment cannot start
IMPORT = "import"

# Below this many units a product shows up in the staff's low-stock view.
LOW_STOCK = 5


# --- what every shopper sees ------------------------------------------------------------------

# The tables the cached catalog is made of.
CATALOG_TABLES = frozenset({Product.__table__, Category.__table__})


def catalog_changed(session: Session | None = None) -> None:
    """Forget the cached catalog once the current transaction (or `session`'s) commits."""
    cache.changed(cache.CATALOG, session)


@event.listens_for(Session, "do_orm_execute")
def _catalog_statements(state) -> None:
    """UPDATE, INSERT or DELETE statements on products or categories (stock moves, imports)."""
    if (state.is_update or state.is_insert or state.is_delete) and getattr(
            state.statement, "table", None) in CATALOG_TABLES:
        catalog_changed(state.session)


@event.listens_for(Session, "before_flush")
def _catalog_objects(session, flush_context, instances) -> None:
    """Products or categories added, changed or deleted as objects (staff edits, the seed)."""
    if any(isinstance(obj, Product | Category)
           for obj in (*session.new, *session.dirty, *session.deleted)):
        catalog_changed(session)


# --- categories ------------------------------------------------------------------------------

def slugify(name: str) -> str:
    """The URL name of a category: 'Pots & Pans' → 'pots-pans', 'Café' → 'cafe'."""
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return re.sub(r"[\W_]+", "-", bare).strip("-")[:120]


def list_categories() -> list[Category]:
    """Every category, by name."""
    return list(db.session.scalars(select(Category).order_by(Category.name, Category.id)))


def get_category(category_id: int) -> Category:
    category = db.session.get(Category, category_id) if is_row_id(category_id) else None
    if category is None:
        raise NotFound(f"There is no category {category_id}.")
    return category


def _name_category(category: Category, name: str) -> None:
    slug = slugify(name)
    if not slug:
        raise InvalidInput("The name needs a letter or a digit.",
                           errors=[{"field": "name", "message": "Needs a letter or a digit."}])
    clash = db.session.scalar(select(Category).where(
        or_(func.lower(Category.name) == name.lower(), Category.slug == slug),
        Category.id != (category.id or 0)))
    if clash is not None:
        raise StateConflict(f"A category named {clash.name!r} exists already.",
                            errors=[{"field": "name", "message": "Already taken."}])
    category.name, category.slug = name, slug


def create_category(name: str) -> Category:
    """Add a category; its slug is made from its name."""
    with transaction():
        category = Category()
        _name_category(category, name)
        db.session.add(category)
        _flush_or_conflict("A category with this name exists already.")
    return category


def rename_category(category_id: int, name: str) -> Category:
    """Rename a category (its slug follows the name)."""
    with transaction():
        category = get_category(category_id)
        _name_category(category, name)
        _flush_or_conflict("A category with this name exists already.")
    return category


def delete_category(category_id: int) -> None:
    """Delete a category that no product uses; StateConflict otherwise."""
    with transaction():
        category = get_category(category_id)
        used = db.session.scalar(select(func.count(Product.id))
                                 .where(Product.category_id == category.id))
        if used:
            raise StateConflict(
                f"{used} product{'s' if used != 1 else ''} still use{'s' if used == 1 else ''} "
                f"the category {category.name!r}; move them first.", products=used)
        db.session.delete(category)


def _flush_or_conflict(detail: str) -> None:
    """Flush; a unique constraint that a concurrent request won is a 409, not a 500."""
    try:
        db.session.flush()
    except IntegrityError:
        raise StateConflict(detail) from None


# --- products: reading -----------------------------------------------------------------------

@dataclass(frozen=True)
class ProductSearch:
    """What a list of products is narrowed to and ordered by."""

    q: str = ""
    category: str = ""
    sort: str = "name"
    limit: int | None = None
    offset: int = 0
    archived: bool | None = False  # False: for sale only; True: archived only; None: both
    low_stock: bool = False


SORTS = {
    "name": (Product.name, Product.id),
    "price": (Product.price_in_cents, Product.id),
    "-price": (Product.price_in_cents.desc(), Product.id),
    "newest": (Product.created_at.desc(), Product.id.desc()),
}


def search_condition(q: str):
    """Where name, description or sku match `q`: full-text search (websearch syntax, so
    `"cast iron" -enamel` works) plus an sku prefix on PostgreSQL, a case-insensitive
    substring elsewhere."""
    sku_prefix = func.lower(Product.sku).startswith(q.lower(), autoescape=True)
    if db.session.get_bind().dialect.name == "postgresql":
        # Qualified, so it stays unambiguous next to a join, and still matches the index.
        document = SEARCH_DOCUMENT.replace("(name", "(products.name").replace(
            "(description", "(products.description")
        matches = text(f"{document} @@ websearch_to_tsquery('english', :search_q)")
        return or_(matches.bindparams(search_q=q), sku_prefix)
    needle = q.lower()
    return or_(func.lower(Product.name).contains(needle, autoescape=True),
               func.lower(Product.description).contains(needle, autoescape=True),
               sku_prefix)


def _conditions(search: ProductSearch) -> list:
    conditions: list[ColumnElement[bool]] = []
    if search.archived is not None:
        conditions.append(Product.active.is_(not search.archived))
    if search.category:
        conditions.append(Product.category_id.in_(
            select(Category.id).where(Category.slug == search.category).scalar_subquery()))
    if search.q:
        conditions.append(search_condition(search.q))
    if search.low_stock:
        conditions.append(Product.stock <= LOW_STOCK)
    return conditions


def search_products(search: ProductSearch) -> tuple[list[Product], int]:
    """One page of the products that match, and how many match in all, in one query (a
    window count); a second only for a page past the end."""
    conditions = _conditions(search)
    query = (select(Product, func.count().over().label("total")).where(*conditions)
             .order_by(*SORTS[search.sort]))
    if search.limit is not None:
        query = query.limit(search.limit)
    if search.offset:
        query = query.offset(search.offset)
    rows = db.session.execute(query).all()
    if rows:
        return [row[0] for row in rows], rows[0][1]
    if not search.offset:
        return [], 0
    return [], db.session.scalar(select(func.count(Product.id)).where(*conditions)) or 0


def list_products() -> list[Product]:
    """Every product for sale, by name."""
    return search_products(ProductSearch())[0]


def get_product(product_id: int, *, include_archived: bool = False) -> Product:
    """One product for sale (or any, for staff), or NotFound."""
    product = db.session.get(Product, product_id) if is_row_id(product_id) else None
    if product is None or not (product.active or include_archived):
        raise NotFound(f"There is no product {product_id}.")
    return product


@dataclass(frozen=True, slots=True)
class ProductLine:
    """What a cart line or a new order's line takes of a product: read-only columns, no
    category, no ORM object."""

    id: int
    name: str
    price_in_cents: int
    stock: int
    image_url: str | None
    image_key: str | None
    image_fallback: str | None


_products = Product.__table__.c
# Built once: the columns of ProductLine, in its order, of the active products among `ids`.
_PRODUCT_LINES = InList(lambda ids: select(*(_products[name] for name in ProductLine.__slots__))
                        .where(_products.id.in_(ids), _products.active.is_(True)))


def product_lines_by_id(product_ids: Iterable[int]) -> dict[int, ProductLine]:
    """The products for sale among these ids, keyed by id, as ProductLines: read in one
    statement, without building Product objects."""
    ids = sorted({i for i in product_ids if is_row_id(i)})
    if not ids:
        return {}
    return {row.id: ProductLine(*row) for row in db.session.execute(*_PRODUCT_LINES(ids))}


# --- products: writing -----------------------------------------------------------------------

PRODUCT_FIELDS = ("name", "price_in_cents", "sku", "description", "category_id", "active")


def _check_references(product: Product | None, fields: Mapping) -> None:
    sku = fields.get("sku")
    if sku is not None:
        owner = db.session.scalar(select(Product.id).where(Product.sku == sku))
        if owner is not None and (product is None or owner != product.id):
            raise StateConflict(f"The sku {sku!r} belongs to product {owner} already.",
                                errors=[{"field": "sku", "message": "Already taken."}],
                                productId=owner)
    category_id = fields.get("category_id")
    if category_id is not None and db.session.get(Category, category_id) is None:
        raise UnknownReferences(f"There is no category {category_id}.",
                                errors=[{"field": "categoryId",
                                         "message": f"Unknown category {category_id}."}])


def create_product(fields: Mapping, *, stock: int = 0, by_user_id: int | None = None) -> Product:
    """Add a product; its opening stock is the ledger's first row for it."""
    with transaction():
        _check_references(None, fields)
        product = Product(**{k: fields[k] for k in PRODUCT_FIELDS if k in fields}, stock=stock)
        db.session.add(product)
        if stock:
            db.session.add(StockMovement(product=product, change=stock, stock_after=stock,
                                         reason=OPENING_STOCK, user_id=by_user_id))
        _flush_or_conflict("The sku is taken already.")
    return get_product(product.id, include_archived=True)


def update_product(product_id: int, changes: Mapping) -> Product:
    """Change any of a product's fields but stock; a new price applies to new orders only."""
    with transaction():
        product = get_product(product_id, include_archived=True)
        _check_references(product, changes)
        for key in PRODUCT_FIELDS:
            if key in changes:
                setattr(product, key, changes[key])
        _flush_or_conflict("The sku is taken already.")
    db.session.expire(product, ["category"])
    return get_product(product_id, include_archived=True)


def archive_product(product_id: int) -> None:
    """Take a product off sale; it stays for the orders that name it."""
    with transaction():
        get_product(product_id, include_archived=True).active = False


# --- the stock ledger ------------------------------------------------------------------------

def _record(rows: list[dict]) -> None:
    """Write ledger rows (product_id, change, stock_after, reason, user_id, order_id)."""
    if rows:
        now = utcnow()
        db.session.execute(insert(StockMovement), [
            {"user_id": None, "order_id": None, "created_at": now, **row} for row in rows])


def take_stock(quantities: Mapping[int, int], *, order_id: int | None = None,
               reason: str = ORDER_PLACED, user_id: int | None = None) -> None:
    """Take units out of stock, all or none, inside the caller's transaction.

    Each row is decremented by a conditional UPDATE, which the database serialises, so two
    buyers can never both get the last unit. Rows are touched in id order to avoid deadlocks.
    Each decrement is written to the ledger with the order that caused it. The caller rolls
    back on OutOfStock so that nothing stays reserved.
    """
    short, rows = [], []
    for product_id in sorted(quantities):
        wanted = quantities[product_id]
        left = db.session.execute(
            update(Product)
            .where(Product.id == product_id, Product.stock >= wanted)
            .values(stock=Product.stock - wanted)
            .returning(Product.stock)
            .execution_options(synchronize_session=False)
        ).scalar_one_or_none()
        if left is None:
            short.append(product_id)
        else:
            rows.append({"product_id": product_id, "change": -wanted, "stock_after": left,
                         "reason": reason, "order_id": order_id, "user_id": user_id})
    if short:
        left_of = {p.id: p.stock for p in db.session.scalars(
            select(Product).where(Product.id.in_(short))
            .execution_options(populate_existing=True)).unique()}
        raise OutOfStock(
            "Not enough stock for product " + ", ".join(str(i) for i in short) + ".",
            errors=[{"field": "products",
                     "message": f"Only {left_of.get(i, 0)} left of product {i}."}
                    for i in short],
            productIds=short,
        )
    _record(rows)


def return_stock(quantities: Mapping[int, int], *, order_id: int | None = None,
                 reason: str = ORDER_CANCELLED, user_id: int | None = None) -> None:
    """Put units back into stock (a cancelled or expired order, a failed payment), inside the
    caller's transaction, with a ledger row for each product."""
    rows = []
    for product_id in sorted(quantities):
        back = quantities[product_id]
        left = db.session.execute(
            update(Product)
            .where(Product.id == product_id)
            .values(stock=Product.stock + back)
            .returning(Product.stock)
            .execution_options(synchronize_session=False)
        ).scalar_one_or_none()
        if left is not None:
            rows.append({"product_id": product_id, "change": back, "stock_after": left,
                         "reason": reason, "order_id": order_id, "user_id": user_id})
    _record(rows)


def adjust_stock(product_id: int, change: int, reason: str, *,
                 user_id: int | None = None) -> Product:
    """Staff move stock by `change` units (signed) for a reason; never below zero.

    The conditional UPDATE is the same kind orders use, so an adjustment racing an order
    can neither oversell nor lose units; the bound is written so the sum cannot overflow.
    """
    with transaction():
        within = (Product.stock <= MAX_INTEGER - change) if change > 0 else (
            Product.stock >= -change)
        left = db.session.execute(
            update(Product).where(Product.id == product_id, within)
            .values(stock=Product.stock + change).returning(Product.stock)
            .execution_options(synchronize_session=False)
        ).scalar_one_or_none() if is_row_id(product_id) else None
        if left is None:
            product = get_product(product_id, include_archived=True)
            db.session.refresh(product)
            if change < 0:
                raise StateConflict(
                    f"Only {product.stock} in stock: taking {-change} would go below zero.",
                    errors=[{"field": "change",
                             "message": f"At most -{product.stock} with {product.stock} left."}],
                    stock=product.stock)
            raise StateConflict("That much stock cannot be counted.",
                                errors=[{"field": "change", "message": "Too large."}],
                                stock=product.stock)
        _record([{"product_id": product_id, "change": change, "stock_after": left,
                  "reason": reason, "user_id": user_id}])
    product = get_product(product_id, include_archived=True)
    db.session.refresh(product)
    return product


def stock_history(product_id: int, *, limit: int | None = None, offset: int = 0,
                  with_users: bool = False) -> tuple[list[StockMovement], bool]:
    """A product's ledger, newest first (with who made each change, for pages); returns
    (page, more_remain)."""
    get_product(product_id, include_archived=True)
    query = select(StockMovement)
    if with_users:
        query = query.options(selectinload(StockMovement.user))
    query = (query.where(StockMovement.product_id == product_id)
             .order_by(StockMovement.id.desc()).offset(offset))
    if limit is None:
        return list(db.session.scalars(query)), False
    rows = list(db.session.scalars(query.limit(limit + 1)))
    return rows[:limit], len(rows) > limit


def ledger_disagreements() -> list[tuple[int, int, int]]:
    """(product id, stock, ledger sum) of every product whose ledger does not add up."""
    sums = (select(StockMovement.product_id, func.sum(StockMovement.change).label("total"))
            .group_by(StockMovement.product_id).subquery())
    rows = db.session.execute(
        select(Product.id, Product.stock, func.coalesce(sums.c.total, 0))
        .outerjoin(sums, sums.c.product_id == Product.id)
        .where(Product.stock != func.coalesce(sums.c.total, 0)))
    return [tuple(row) for row in rows]


# --- images ----------------------------------------------------------------------------------

def set_image(product_id: int, data: bytes) -> Product:
    """Give a product a new picture, made from the uploaded bytes (see catalog.images)."""
    from shop.catalog import images

    get_product(product_id, include_archived=True)
    stored = images.store(data)
    with transaction():
        product = get_product(product_id, include_archived=True)
        product.image_key, product.image_fallback = stored.key, stored.fallback
        product.image_url = stored.url("page")
    return product
