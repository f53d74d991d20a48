"""The catalog as CSV: export every product, import creates or updates products by sku.

An import is all or nothing: every row is checked first, and any bad cell makes a 422 naming
each bad row and column; only a clean file writes, in one transaction, with stock changes
written to the ledger with the reason `import`.
"""

import csv
import io
import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from shop.catalog import services
from shop.catalog.models import Category, Product, StockMovement
from shop.catalog.schemas import SKU_PATTERN, ProductInput
from shop.database import MAX_INTEGER, utcnow
from shop.exceptions import InvalidInput, StateConflict, UnprocessableContent
from shop.extensions import db
from shop.schemas import check_integer, check_text, max_length_of, parse_decimal

HEADER = ["sku", "name", "description", "price", "stock", "category", "active"]
MAX_ROWS = 20_000
TRUE, FALSE = {"true", "yes", "1"}, {"false", "no", "0"}
# A cell has the limits of the same field of a JSON body: the product's schema declares them.
MAX_NAME = max_length_of(ProductInput, "name")
MAX_DESCRIPTION = max_length_of(ProductInput, "description")


def export_products() -> str:
    """Every product, archived ones too, by id, as CSV (price as a decimal such as 12.50)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    for p in db.session.scalars(select(Product).order_by(Product.id)).unique():
        writer.writerow([p.sku or "", p.name, p.description,
                         f"{p.price_in_cents // 100}.{p.price_in_cents % 100:02d}", p.stock,
                         p.category.slug if p.category else "",
                         "true" if p.active else "false"])
    return buffer.getvalue()


def parse_price(text: str) -> int | None:
    """Cents from a price written as a decimal such as 12.50 (at most two decimals), or None."""
    try:
        cents = parse_decimal(text, places=2)
    except ValueError:
        return None
    return cents if cents <= MAX_INTEGER else None


def _cell(bad: Callable[[str, str], None], column: str, check: Callable[..., Any], value: str,
          **rule: Any) -> Any:
    """A cell checked by the rule a JSON body obeys (shop.schemas): its value, or None once
    `bad` has named the problem."""
    try:
        return check(value, **rule)
    except ValueError as error:
        bad(column, str(error))
        return None


def parse_rows(text: str, categories: dict[str, int]) -> list[dict]:
    """Every row as product fields, or UnprocessableContent naming each bad row and column."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise InvalidInput(f"The CSV cannot be read: {error}.") from None
    if header is None or [h.strip().lower() for h in header] != HEADER:
        raise UnprocessableContent(
            "The first row must be the header: " + ",".join(HEADER) + ".",
            errors=[{"field": "row 1", "message": "Expected " + ",".join(HEADER) + "."}])
    rows: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    try:
        for number, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise UnprocessableContent(f"At most {MAX_ROWS} rows per import.")

            def bad(column: str, message: str, number=number) -> None:
                errors.append({"field": f"row {number}, {column}", "row": number,
                               "column": column, "message": message})

            if len(cells) != len(HEADER):
                bad("*", f"Has {len(cells)} cells; expected {len(HEADER)}.")
                continue
            sku, name, description, price, stock, category, active = (
                c.strip() if i != 2 else c for i, c in enumerate(cells))
            row: dict[str, Any] = {"line": number}
            if not re.fullmatch(SKU_PATTERN, sku):
                bad("sku", "Required: letters, digits, . _ / - (up to 64).")
            elif sku in seen:
                bad("sku", f"Repeats row {seen[sku]}.")
            else:
                seen[sku] = number
            row["sku"] = sku
            row["name"] = _cell(bad, "name", check_text, name, required=True,
                                max_length=MAX_NAME)
            row["description"] = _cell(bad, "description", check_text, description,
                                       required=False, multiline=True,
                                       max_length=MAX_DESCRIPTION)
            row["price_in_cents"] = parse_price(price)
            if row["price_in_cents"] is None:
                bad("price", f"{price!r} is not a price such as 12.50.")
            row["stock"] = _cell(bad, "stock", check_integer, stock, minimum=0,
                                 maximum=MAX_INTEGER, text=True)
            row["category_id"] = None
            if category:
                row["category_id"] = categories.get(category.lower())
                if row["category_id"] is None:
                    bad("category", f"No category {category!r}.")
            if active.lower() not in TRUE | FALSE:
                bad("active", "true or false.")
            row["active"] = active.lower() in TRUE
            rows.append(row)
    except csv.Error as error:
        raise InvalidInput(f"The CSV cannot be read: {error}.") from None
    if errors:
        where = sorted({e["row"] for e in errors})
        raise UnprocessableContent(
            f"{len(errors)} problem{'s' if len(errors) != 1 else ''} in row"
            f"{'s' if len(where) != 1 else ''} {', '.join(map(str, where[:20]))}"
            f"{'…' if len(where) > 20 else ''}; nothing was imported.", errors=errors)
    return rows


def import_products(text: str, *, user_id: int | None = None) -> tuple[int, int]:
    """Create or update products by sku from CSV text, all or nothing; (created, updated)."""
    try:
        categories = {}
        for c in db.session.scalars(select(Category)):
            categories[c.slug.lower()] = categories[c.name.lower()] = c.id
        rows = parse_rows(text, categories)
        # Locked in id order, as orders lock them: a concurrent order or adjustment waits, so
        # the stock compared here is the stock replaced, and the two cannot deadlock.
        existing = {p.sku: p for p in db.session.scalars(
            select(Product).where(Product.sku.in_([r["sku"] for r in rows]))
            .order_by(Product.id).with_for_update(of=Product)).unique()}
        # Written in bulk (one executemany per kind of statement), not object by object: a
        # 5,000-row file is a handful of statements.
        new_rows, changes, movements = [], [], []
        for row in rows:
            product = existing.get(row["sku"])
            fields = {k: row[k] for k in services.PRODUCT_FIELDS}
            if product is None:
                new_rows.append({**fields, "stock": row["stock"], "image_url": None,
                                 "image_key": None, "image_fallback": None,
                                 "created_at": utcnow()})
                continue
            if product.stock != row["stock"]:
                movements.append({"product_id": product.id,
                                  "change": row["stock"] - product.stock,
                                  "stock_after": row["stock"]})
            if product.stock != row["stock"] or any(
                    getattr(product, key) != value for key, value in fields.items()):
                changes.append({"id": product.id, **fields, "stock": row["stock"]})
        try:
            if changes:
                db.session.execute(update(Product), changes)
            if new_rows:
                db.session.execute(insert(Product), new_rows)
        except IntegrityError:
            raise StateConflict("A product with one of these skus was added meanwhile; "
                                "nothing was imported.") from None
        if new_rows:
            wanted = select(Product.sku, Product.id).where(
                Product.sku.in_([r["sku"] for r in new_rows]))
            new_ids = {sku: product_id for sku, product_id in db.session.execute(wanted)}
            movements += [{"product_id": new_ids[r["sku"]], "change": r["stock"],
                           "stock_after": r["stock"]} for r in new_rows if r["stock"]]
        if movements:
            now = utcnow()
            db.session.execute(insert(StockMovement), [
                {**m, "reason": services.IMPORT, "user_id": user_id, "order_id": None,
                 "created_at": now} for m in movements])
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return len(new_rows), len(changes)
