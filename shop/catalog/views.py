"""Pages of the catalog."""

from flask import Blueprint, render_template

from shop.catalog import services

bp = Blueprint("catalog", __name__)


@bp.get("/")
def index():
    """The catalog: every product for sale."""
    return render_template("catalog/index.html", products=services.list_products())
