"""Pages of the catalog."""

from flask import Blueprint, render_template

from shop.catalog import services

bp = Blueprint("catalog", __name__)


@bp.get("/")
def index():
    """The catalog: every product for sale."""
    return render_template("catalog/index.html", products=services.list_products())


@bp.get("/catalog/<int:product_id>")
def product(product_id: int):
    """One product for sale, with its description; 404 for anything else."""
    return render_template("catalog/product.html", product=services.get_product(product_id))
