"""Cart rules: adding, changing and removing lines, and pricing them from the catalog.

A cart is a plain mapping of product id (as text, the session's JSON needs string keys) to
quantity. The views keep it in the signed session cookie, so an anonymous visitor has one and
keeps it through login; these functions only read and change the mapping they are given.
Prices are never stored in the cart: they come from the catalog each time it is shown, and
from the catalog again when the order is placed.
"""

from collections.abc import MutableMapping
from dataclasses import dataclass, field

from shop.catalog import services as catalog
from shop.catalog.models import Product
from shop.exceptions import InvalidInput, OutOfStock
from shop.orders import services as orders

CartStore = MutableMapping[str, int]


@dataclass(frozen=True)
class CartLine:
    product: catalog.ProductLine
    quantity: int

    @property
    def total_in_cents(self) -> int:
        return self.product.price_in_cents * self.quantity

    @property
    def exceeds_stock(self) -> bool:
        return self.quantity > self.product.stock


@dataclass(frozen=True)
class CartSummary:
    """What the cart and checkout pages show: priced lines, the total, and any problems."""

    lines: list[CartLine]
    dropped: list[int] = field(default_factory=list)

    @property
    def total_in_cents(self) -> int:
        return sum(line.total_in_cents for line in self.lines)

    @property
    def unit_count(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def short_lines(self) -> list[CartLine]:
        return [line for line in self.lines if line.exceeds_stock]

    @property
    def ready_for_checkout(self) -> bool:
        return bool(self.lines) and not self.short_lines

    def order_lines(self) -> list[dict]:
        """The cart as the cart-line body of POST /orders/new."""
        return [{"id": line.product.id, "quantity": line.quantity} for line in self.lines]


def unit_count(cart: CartStore) -> int:
    """Units in the cart, read from the cart alone (no query): the number in the nav."""
    return sum(q for q in cart.values() if isinstance(q, int) and q > 0)


def _check_quantity(product: Product, quantity: int) -> None:
    if quantity > product.stock:
        if product.stock == 0:
            detail = f"Sorry, {product.name} is sold out."
        else:
            detail = (f"Only {product.stock} of {product.name} left, so your cart cannot "
                      f"hold {quantity}.")
        raise OutOfStock(detail, productIds=[product.id])
    if quantity > orders.MAX_UNITS_PER_PRODUCT:
        raise InvalidInput(f"At most {orders.MAX_UNITS_PER_PRODUCT} units of one product "
                           "per order.")


def add_item(cart: CartStore, product_id: int, quantity: int = 1) -> tuple[Product, int]:
    """Put `quantity` more units of a product in the cart; returns (product, units now held)."""
    if quantity < 1:
        raise InvalidInput("Add at least one unit.")
    product = catalog.get_product(product_id)
    new_quantity = cart.get(str(product.id), 0) + quantity
    _check_quantity(product, new_quantity)
    cart[str(product.id)] = new_quantity
    return product, new_quantity


def set_quantity(cart: CartStore, product_id: int, quantity: int) -> Product | None:
    """Hold exactly `quantity` units of a product; 0 removes the line."""
    if quantity < 0:
        raise InvalidInput("A quantity cannot be negative.")
    if quantity == 0:
        remove_item(cart, product_id)
        return None
    product = catalog.get_product(product_id)
    _check_quantity(product, quantity)
    cart[str(product.id)] = quantity
    return product


def remove_item(cart: CartStore, product_id: int) -> None:
    """Take a product's line out of the cart (nothing happens if it is not there)."""
    cart.pop(str(product_id), None)


def clear(cart: CartStore) -> None:
    """Empty the cart."""
    cart.clear()


def clear_if_ordered(cart: CartStore, ordered: dict[int, int]) -> bool:
    """Empty the cart if it holds exactly what was ordered (the cart that was just paid for).

    A cart changed since (in another tab, say) is a new cart and stays; so does the cart of a
    shopper who opens the completion page of an old order.
    """
    held = {int(k): q for k, q in cart.items() if k.isdigit()}
    if held and held == ordered:
        cart.clear()
        return True
    return False


def fill_with_demo_cart(cart: CartStore) -> None:
    """Replace the cart with the demo cart of GET /orders/demo-cart."""
    cart.clear()
    for product_id, _name, quantity, _price in orders.demo_cart():
        cart[str(product_id)] = quantity


def summarise(cart: CartStore) -> CartSummary:
    """Price the cart from the catalog in one query, dropping products no longer for sale."""
    quantities: dict[int, int] = {}
    for key, quantity in list(cart.items()):
        if key.isdigit() and isinstance(quantity, int) and quantity > 0:
            quantities[int(key)] = quantity
        else:  # a cookie from an older version of the shop: not worth keeping
            del cart[key]
    products = catalog.product_lines_by_id(quantities)
    dropped = sorted(set(quantities) - set(products))
    for product_id in dropped:
        del cart[str(product_id)]
    lines = sorted((CartLine(products[pid], qty) for pid, qty in quantities.items()
                    if pid in products), key=lambda line: (line.product.name, line.product.id))
    return CartSummary(lines=lines, dropped=dropped)
