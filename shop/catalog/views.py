"""Pages of the catalog: the shop window (search, categories, sorting, paging), one product,
and the product images under /media."""

from typing import Any
from urllib.parse import urlencode

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_login import current_user
from markupsafe import Markup

from shop import cache
from shop.accounts.auth import csrf_token, staff_required
from shop.catalog import csv_io, images, services
from shop.catalog.forms import AdjustStockForm, ImageForm, ProductForm
from shop.catalog.schemas import (
    ProductChanges,
    ProductInput,
    ProductQuery,
    ProductSort,
    StockAdjustment,
)
from shop.exceptions import DomainError
from shop.http import int_arg
from shop.schemas import validate

bp = Blueprint("catalog", __name__)
# The staff's pages: a blueprint of their own, so that the navigation tells them apart.
staff_bp = Blueprint("catalog_staff", __name__)

PAGE_SIZE = 24
SORT_LABELS = {ProductSort.NAME: "Name", ProductSort.PRICE: "Price: low to high",
               ProductSort.PRICE_DESCENDING: "Price: high to low",
               ProductSort.NEWEST: "Newest"}
# Image files never change under a name (the name is a hash of the content): cache a year.
MEDIA_MAX_AGE = 365 * 24 * 3600


def page_links(endpoint: str, args: dict, page: int, more: bool) -> tuple[str | None, str | None]:
    """The URLs of the previous and next pages, keeping the other arguments."""

    def url(number: int) -> str:
        query = urlencode({**args, **({"page": number} if number > 1 else {})})
        return url_for(endpoint) + (f"?{query}" if query else "")

    return (url(page - 1) if page > 1 else None), (url(page + 1) if more else None)


@bp.get("/")
def index():
    """The catalog: products for sale, searched, by category, sorted, a page at a time.

    What every shopper sees (all but searches) is rendered once and cached until the catalog
    changes; only the CSRF token of its forms is each visitor's own, and is put in per request.
    """
    query = validate(ProductQuery, {k: v for k, v in request.args.items()
                                    if k in ("q", "category", "sort")},
                     detail="The search is not valid.")
    page = int_arg("page", default=1, minimum=1, maximum=100_000)
    if query.q:  # a search is one shopper's: not worth keeping
        title, window = _shop_window(query, page)
    else:
        name = f"window:{query.category}:{query.sort.value}:{page}"
        cached, key = cache.lookup(cache.CATALOG, name)
        if cached is not None:
            title, window = cached
        else:
            title, window = _shop_window(query, page)
            if title is not None:  # an unknown category is not kept (anyone can make one up)
                cache.store(key, (title, window.replace(csrf_token(), CSRF_PLACEHOLDER)))
        window = window.replace(CSRF_PLACEHOLDER, csrf_token())
    return render_template("catalog/index.html", title=title or "Catalog",
                           shop_window=Markup(window))


# Stands for the visitor's CSRF token in a cached shop window.
CSRF_PLACEHOLDER = "\x00csrf-token\x00"


def _shop_window(query: ProductQuery, page: int) -> tuple[str | None, str]:
    """The page's title (None for a category that does not exist) and the rendered products,
    categories, search form and pager."""
    search = services.ProductSearch(q=query.q, category=query.category, sort=query.sort.value,
                                    limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    products, total = services.search_products(search)
    categories = services.list_categories()
    args = {k: v for k, v in (("q", query.q), ("category", query.category),
                              ("sort", query.sort.value if query.sort != ProductSort.NAME
                               else "")) if v}
    prev_url, next_url = page_links(".index", args, page, page * PAGE_SIZE < total)
    current = next((c for c in categories if c.slug == query.category), None)
    # Back to this very page (its search, category and page) after adding without the script;
    # built from the checked arguments, never the raw query string, since the window is kept.
    here_args: dict[str, Any] = {**args, **({"page": page} if page > 1 else {})}
    here = url_for(".index", **here_args)
    window = render_template("catalog/_shop_window.html", products=products, total=total,
                             here=here,
                             categories=categories, current_category=current, q=query.q,
                             sort=query.sort, sort_labels=SORT_LABELS, page=page,
                             prev_url=prev_url, next_url=next_url, filtered=bool(args))
    title = current.name if current else (None if query.category else "Catalog")
    return title, window


@bp.get("/catalog/<int:product_id>")
def product(product_id: int):
    """One product for sale, with its description; 404 for anything else."""
    return render_template("catalog/product.html", product=services.get_product(product_id))


@bp.get("/media/<path:filename>")
def media(filename: str):
    """A product image; its content-hashed name lets browsers and proxies keep it a year."""
    response = send_from_directory(images.media_dir(), filename, max_age=MEDIA_MAX_AGE)
    response.headers["Cache-Control"] = f"public, max-age={MEDIA_MAX_AGE}, immutable"
    return response


# --- staff -----------------------------------------------------------------------------------

STAFF_PAGE_SIZE = 25
ARCHIVED_FILTERS = {"": False, "1": True, "all": None}


def _product_fields(form: ProductForm) -> dict:
    """The form's fields in the API's shape, for the API's schema to check."""
    price = csv_io.parse_price((form.price.data or "").strip())
    return {"name": form.name.data or "", "sku": (form.sku.data or "").strip() or None,
            "description": form.description.data or "",
            "priceInCents": price if price is not None else -1,
            "categoryId": (int(form.category_id.data) if (form.category_id.data or "").isascii()
                           and (form.category_id.data or "").isdigit() else None),
            "active": bool(form.active.data)}


def _show_problem(error: DomainError) -> None:
    messages = [f"{e['field']}: {e['message']}" for e in (error.errors or [])]
    flash(" ".join([error.detail, *messages]), "error")


@staff_bp.get("/staff/products")
@staff_required
def staff_products():
    """Every product for staff: search, category, archived and low-stock filters, paged."""
    query = validate(ProductQuery, {k: v for k, v in request.args.items()
                                    if k in ("q", "category", "sort")},
                     detail="The search is not valid.")
    archived_arg = request.args.get("archived", "")
    archived = ARCHIVED_FILTERS.get(archived_arg, False)
    low = request.args.get("low") == "1"
    page = int_arg("page", default=1, minimum=1, maximum=100_000)
    search = services.ProductSearch(q=query.q, category=query.category, sort=query.sort.value,
                                    limit=STAFF_PAGE_SIZE, offset=(page - 1) * STAFF_PAGE_SIZE,
                                    archived=archived, low_stock=low)
    products, total = services.search_products(search)
    args = {k: v for k, v in (("q", query.q), ("category", query.category),
                              ("archived", archived_arg if archived_arg in ARCHIVED_FILTERS
                               else ""), ("low", "1" if low else "")) if v}
    prev_url, next_url = page_links(".staff_products", args, page, page * STAFF_PAGE_SIZE < total)
    return render_template("staff/products.html", products=products, total=total,
                           categories=services.list_categories(), q=query.q,
                           category=query.category, archived=archived_arg, low=low,
                           low_stock=services.LOW_STOCK, page=page, prev_url=prev_url,
                           next_url=next_url, filtered=bool(args))


def _category_choices() -> list[tuple[str, str]]:
    return [("", "No category")] + [(str(c.id), c.name) for c in services.list_categories()]


@staff_bp.route("/staff/products/new", methods=["GET", "POST"])
@staff_required
def staff_new_product():
    """Add a product: its fields and opening stock."""
    form = ProductForm()
    form.category_id.choices = _category_choices()
    if form.validate_on_submit():
        try:
            body = validate(ProductInput,
                            {**_product_fields(form), "stock": form.stock.data or 0},
                            detail="The product is not valid.")
            product = services.create_product(body.model_dump(exclude={"stock"}),
                                              stock=body.stock, by_user_id=current_user.id)
        except DomainError as error:
            _show_problem(error)
        else:
            flash(f"{product.name} is in the catalog.", "info")
            return redirect(url_for(".staff_product", product_id=product.id))
    elif request.method == "GET":
        form.active.data = True
    else:
        flash("Check the fields marked below.", "error")
    return render_template("staff/product_new.html", form=form)


@staff_bp.route("/staff/products/<int:product_id>", methods=["GET", "POST"])
@staff_required
def staff_product(product_id: int):
    """One product: edit it, upload its picture, adjust its stock, read its ledger."""
    product = services.get_product(product_id, include_archived=True)
    form = ProductForm(obj=None if request.method == "POST" else product)
    form.category_id.choices = _category_choices()
    if request.method == "GET":
        form.price.data = f"{product.price_in_cents // 100}.{product.price_in_cents % 100:02d}"
        form.category_id.data = str(product.category_id or "")
        form.sku.data = product.sku or ""
    elif form.validate_on_submit():
        try:
            body = validate(ProductChanges, _product_fields(form),
                            detail="The product is not valid.")
            services.update_product(product_id, {k: getattr(body, k)
                                                 for k in body.model_fields_set})
        except DomainError as error:
            _show_problem(error)
        else:
            flash("Saved.", "info")
            return redirect(url_for(".staff_product", product_id=product_id))
    else:
        flash("Check the fields marked below.", "error")
    history, more = services.stock_history(product_id, limit=50, with_users=True)
    return render_template("staff/product.html", product=product, form=form,
                           adjust_form=AdjustStockForm(), image_form=ImageForm(),
                           history=history, more_history=more,
                           max_image_mb=images.MAX_BYTES // (1024 * 1024))


@staff_bp.post("/staff/products/<int:product_id>/stock")
@staff_required
def staff_adjust_stock(product_id: int):
    """Adjust stock by a signed change with a reason."""
    form = AdjustStockForm()
    if form.validate_on_submit():
        try:
            body = validate(StockAdjustment, {"change": form.change.data,
                                              "reason": form.reason.data or ""},
                            detail="The adjustment is not valid.")
            product = services.adjust_stock(product_id, body.change, body.reason,
                                            user_id=current_user.id)
        except DomainError as error:
            _show_problem(error)
        else:
            flash(f"Stock is now {product.stock}.", "info")
    else:
        flash("Give a whole number of units and a reason.", "error")
    return redirect(url_for(".staff_product", product_id=product_id) + "#stock")


@staff_bp.url_value_preprocessor
def allow_picture_uploads(endpoint: str | None, values: dict | None) -> None:
    """Let a picture upload past the app-wide body limit. This runs before the CSRF check,
    which reads the multipart form and would otherwise refuse anything above that limit."""
    if endpoint == "catalog_staff.staff_upload_image":
        request.max_content_length = images.MAX_BYTES + 64 * 1024


@staff_bp.post("/staff/products/<int:product_id>/image")
@staff_required
def staff_upload_image(product_id: int):
    """Upload the product's picture (JPEG, PNG or WebP up to 5 MB)."""
    form = ImageForm()
    if form.validate_on_submit():
        upload = form.image.data
        try:
            data = upload.read(images.MAX_BYTES + 1)
        finally:
            upload.close()  # a large upload is spooled to a temporary file: close it now
        if upload.mimetype not in images.ACCEPTED_TYPES:
            flash("Choose a JPEG, PNG or WebP image.", "error")
        else:
            try:
                services.set_image(product_id, data)
            except DomainError as error:
                _show_problem(error)
            else:
                flash("The new picture is up.", "info")
    else:
        flash("Choose an image file to upload.", "error")
    return redirect(url_for(".staff_product", product_id=product_id) + "#picture")
