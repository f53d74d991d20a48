"""JSON routes of the catalog: GET /products and GET /products/{id}."""

from flask import Blueprint

from shop.catalog import services
from shop.catalog.models import Product
from shop.catalog.schemas import ProductOut

bp = Blueprint("catalog_api", __name__)


def product_json(product: Product) -> dict:
    return ProductOut.of(product).to_json()


@bp.get("/products")
def list_products():
    """Every product for sale."""
    return [product_json(p) for p in services.list_products()]


@bp.get("/products/<int:product_id>")
def get_product(product_id: int):
    """One product for sale."""
    return product_json(services.get_product(product_id))
