"""Pages of the catalog: the shop window (search, categories, sorting, paging), one product,
and the product images under /media."""

from urllib.parse import urlencode

from flask import Blueprint, render_template, request, send_from_directory, url_for

from shop.catalog import images, services
from shop.catalog.schemas import ProductQuery, ProductSort, parse
from shop.http import int_arg

bp = Blueprint("catalog", __name__)

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
    """The catalog: products for sale, searched, by category, sorted, a page at a time."""
    query = parse(ProductQuery, {k: v for k, v in request.args.items()
                                 if k in ("q", "category", "sort")}, "The search is not valid.")
    page = int_arg("page", default=1, minimum=1, maximum=100_000)
    search = services.ProductSearch(q=query.q, category=query.category, sort=query.sort.value,
                                    limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    products, total = services.search_products(search)
    categories = services.list_categories()
    args = {k: v for k, v in (("q", query.q), ("category", query.category),
                              ("sort", query.sort.value if query.sort != ProductSort.NAME
                               else "")) if v}
    prev_url, next_url = page_links(".index", args, page, page * PAGE_SIZE < total)
    current = next((c for c in categories if c.slug == query.category), None)
    return render_template("catalog/index.html", products=products, total=total,
                           categories=categories, current_category=current, q=query.q,
                           sort=query.sort, sort_labels=SORT_LABELS, page=page,
                           prev_url=prev_url, next_url=next_url, filtered=bool(args))


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
