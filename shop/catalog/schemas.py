"""The shapes of the catalog API."""

from shop.catalog.models import Product
from shop.schemas import Cents, Integer, Schema


class ProductOut(Schema):
    """A product for sale, as GET /products answers it."""

    id: int
    name: str
    description: str
    price_in_cents: Cents
    stock: Integer(0, description="Units left")
    image_url: str | None

    @classmethod
    def of(cls, product: Product) -> "ProductOut":
        return cls(id=product.id, name=product.name, description=product.description,
                   price_in_cents=product.price_in_cents, stock=product.stock,
                   image_url=product.image_url)
