"""JSON routes of the catalog: products (read by anyone, written by staff), their stock ledger,
images and CSV, and categories."""

from urllib.parse import urlencode

from flask import Blueprint, Response, request, url_for
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge, UnsupportedMediaType

from shop import cache
from shop.accounts.auth import staff_required
from shop.catalog import csv_io, images, services
from shop.catalog.models import Category, Product, StockMovement
from shop.catalog.schemas import (
    CategoryAnswer,
    CategoryInput,
    ImportAnswer,
    ProductAnswer,
    ProductChanges,
    ProductInput,
    ProductQuery,
    StockAdjustment,
    StockHistoryQuery,
    StockMovementAnswer,
)
from shop.exceptions import InvalidInput, PermissionDenied
from shop.http import json_body
from shop.schemas import validate

bp = Blueprint("catalog_api", __name__)

CSV_MAX_BYTES = 10 * 1024 * 1024


def category_json(category: Category) -> dict:
    return CategoryAnswer.from_row(category).to_json()


def product_json(product: Product) -> dict:
    return ProductAnswer.from_row(product).to_json()


def movement_json(movement: StockMovement) -> dict:
    return StockMovementAnswer.of(movement).to_json()


def _is_staff() -> bool:
    return current_user.is_authenticated and current_user.is_staff


def search_from_query(args, *, staff: bool) -> services.ProductSearch:
    """The products a query string asks for; ?active=all (or false) is for staff only."""
    query = validate(ProductQuery, args.to_dict(), detail="The query is not valid.")
    if query.active != "true" and not staff:
        raise PermissionDenied("Only staff may list archived products.")
    archived = {"true": False, "false": True, "all": None}[query.active]
    return services.ProductSearch(q=query.q, category=query.category, sort=query.sort.value,
                                  limit=query.limit, offset=query.offset, archived=archived)


def _paging_headers(endpoint: str, search: services.ProductSearch, total: int,
                    shown: int, **values) -> dict:
    headers = {"X-Total-Count": str(total)}
    if search.limit is not None and search.offset + shown < total:
        args = {**request.args.to_dict(), "offset": search.offset + search.limit,
                "limit": search.limit}
        headers["Link"] = f'<{url_for(endpoint, **values)}?{urlencode(args)}>; rel="next"'
    return headers


@bp.get("/products")
def list_products():
    """Products for sale, searched, filtered, sorted and paged (X-Total-Count, Link)."""
    search = search_from_query(request.args, staff=_is_staff())
    # The first page of what is for sale, unsearched, is what every client asks for: cached
    # until the catalog changes (shop.catalog.services.catalog_changed).
    shared = not search.q and search.archived is False and search.offset == 0
    cached, key = (cache.lookup(cache.CATALOG, f"products:{search.category}:{search.sort}:"
                                               f"{search.limit}") if shared else (None, None))
    if cached is not None:
        answer, total = cached
    else:
        products, total = services.search_products(search)
        answer = [product_json(p) for p in products]
        if shared and (answer or not search.category):  # no entry per made-up category
            cache.store(key, (answer, total))
    return answer, 200, _paging_headers(".list_products", search, total, len(answer))


@bp.post("/products")
@staff_required
def create_product():
    """Add a product; its opening stock goes into the ledger."""
    body = validate(ProductInput, json_body(), detail="The product is not valid.")
    fields = body.model_dump(exclude={"stock"})
    product = services.create_product(fields, stock=body.stock, by_user_id=current_user.id)
    return (product_json(product), 201,
            {"Location": url_for(".get_product", product_id=product.id)})


@bp.get("/products/<int:product_id>")
def get_product(product_id: int):
    """One product for sale (staff see archived ones too)."""
    return product_json(services.get_product(product_id, include_archived=_is_staff()))


@bp.patch("/products/<int:product_id>")
@staff_required
def update_product(product_id: int):
    """Change a product's fields; stock is refused (it moves by adjustment)."""
    body = validate(ProductChanges, json_body(), detail="The change is not valid.")
    changes = {k: getattr(body, k) for k in body.model_fields_set}
    return product_json(services.update_product(product_id, changes))


@bp.delete("/products/<int:product_id>")
@staff_required
def archive_product(product_id: int):
    """Archive a product: off sale, kept for the orders that name it."""
    services.archive_product(product_id)
    return "", 204


@bp.post("/products/<int:product_id>/stock")
@staff_required
def adjust_stock(product_id: int):
    """Move stock by a signed change with a reason; 409 below zero."""
    body = validate(StockAdjustment, json_body(), detail="The adjustment is not valid.")
    product = services.adjust_stock(product_id, body.change, body.reason,
                                    user_id=current_user.id)
    return product_json(product)


@bp.get("/products/<int:product_id>/stock")
@staff_required
def stock_history(product_id: int):
    """The product's stock ledger, newest first (?limit= and ?offset= page it)."""
    query = validate(StockHistoryQuery, request.args.to_dict(), detail="The query is not valid.")
    limit, offset = query.limit, query.offset
    rows, more = services.stock_history(product_id, limit=limit, offset=offset)
    headers = {}
    if more and limit is not None:
        args = urlencode({"limit": limit, "offset": offset + limit})
        headers["Link"] = (f'<{url_for(".stock_history", product_id=product_id)}?{args}>; '
                           'rel="next"')
    return [movement_json(m) for m in rows], 200, headers


@bp.put("/products/<int:product_id>/image")
@staff_required
def put_image(product_id: int):
    """Replace the product's picture with the uploaded JPEG, PNG or WebP."""
    if request.mimetype not in images.ACCEPTED_TYPES:
        raise UnsupportedMediaType("Send the image as image/jpeg, image/png or image/webp.")
    if (request.content_length or 0) > images.MAX_BYTES:
        raise RequestEntityTooLarge("The image is larger than 5 MB.")
    request.max_content_length = images.MAX_BYTES
    return product_json(services.set_image(product_id, request.get_data()))


@bp.get("/products/export.csv")
@staff_required
def export_csv():
    """Every product as CSV: sku,name,description,price,stock,category,active."""
    return Response(csv_io.export_products(), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="products.csv"'})


@bp.post("/products/import")
@staff_required
def import_csv():
    """Create or update products by sku from CSV, all or nothing."""
    if request.mimetype not in ("text/csv", "application/csv"):
        raise UnsupportedMediaType("Send the CSV as text/csv.")
    if (request.content_length or 0) > CSV_MAX_BYTES:
        raise RequestEntityTooLarge("The CSV is larger than 10 MB.")
    request.max_content_length = CSV_MAX_BYTES
    try:
        text = request.get_data().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("The CSV must be UTF-8 text.") from None
    created, updated = csv_io.import_products(text, user_id=current_user.id)
    return ImportAnswer(created=created, updated=updated).to_json()


@bp.get("/categories")
def list_categories():
    """Every category, by name."""
    return [category_json(c) for c in services.list_categories()]


@bp.post("/categories")
@staff_required
def create_category():
    """Add a category; its slug is made from its name."""
    body = validate(CategoryInput, json_body(), detail="The category is not valid.")
    category = services.create_category(body.name)
    return (category_json(category), 201,
            {"Location": url_for(".get_category", category_id=category.id)})


@bp.get("/categories/<int:category_id>")
def get_category(category_id: int):
    """One category."""
    return category_json(services.get_category(category_id))


@bp.patch("/categories/<int:category_id>")
@staff_required
def rename_category(category_id: int):
    """Rename a category; the slug follows."""
    body = validate(CategoryInput, json_body(), detail="The category is not valid.")
    return category_json(services.rename_category(category_id, body.name))


@bp.delete("/categories/<int:category_id>")
@staff_required
def delete_category(category_id: int):
    """Delete a category no product uses (409 otherwise)."""
    services.delete_category(category_id)
    return "", 204
