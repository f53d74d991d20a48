"""Pages of the cart and the checkout.

The cart lives in the signed session cookie (`session["cart"]`), so anonymous visitors have
one and keep it when they log in. The checkout page does not place the order itself: its
JavaScript posts the cart lines to the JSON API (POST /orders/new), then pays through the
offline gateway's form (test mode) or Stripe's Payment Element.
"""

from flask import (
    Blueprint,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required

from shop.accounts.views import safe_next
from shop.cart import services
from shop.cart.forms import AddToCartForm, CartActionForm, QuantityForm
from shop.errors import domain_problem, problem
from shop.exceptions import DomainError, NotFound
from shop.orders import services as orders
from shop.orders.status import OrderStatus
from shop.payments import services as payments
from shop.payments.gateway import get_gateway, page_settings
from shop.shipping import services as shipping
from shop.shipping.countries import COUNTRIES

bp = Blueprint("cart", __name__)

def session_cart() -> dict[str, int]:
    """The visitor's cart from the session (a copy: save it back with save_cart)."""
    cart = session.get("cart")
    return dict(cart) if isinstance(cart, dict) else {}


def save_cart(cart: dict[str, int]) -> None:
    if cart:
        session["cart"] = cart
    else:
        session.pop("cart", None)


@bp.app_context_processor
def cart_context() -> dict:
    """The number in the nav's cart link, read from the session: no query per page."""
    cart = session.get("cart")
    return {"cart_count": services.unit_count(cart) if isinstance(cart, dict) else 0}


def _first_error(form) -> str:
    for errors in form.errors.values():
        if errors:
            return errors[0]
    return "Please try again."


def _summary_for_page(cart: dict[str, int]) -> services.CartSummary:
    before = dict(cart)
    summary = services.summarise(cart)
    if summary.dropped:
        flash("Some products in your cart are no longer for sale and were taken out.", "info")
    if cart != before:  # else the cookie stays as it is, not signed and sent again
        save_cart(cart)
    return summary


@bp.get("/cart")
def show():
    """The cart: its lines priced from the catalog, quantities to change, the total."""
    summary = _summary_for_page(session_cart())
    # Its forms carry csrf_token() alone: no form object to build.
    return render_template("cart/cart.html", summary=summary)


def _added_message(name: str, quantity: int, held: int) -> str:
    what = name if quantity == 1 else f"{quantity} × {name}"
    return f"Added {what} to your cart" + (f" ({held} in the cart)" if held > quantity else "")


def _wants_json() -> bool:
    """The catalog's script adds in the background and asks for JSON; a plain form does not."""
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) \
        == "application/json"


@bp.post("/cart/add")
def add():
    """Put units of a product in the cart, then go back to where the shopper was (or, for the
    page's script, answer JSON: the message to show and the cart's new count)."""
    form = AddToCartForm()
    back = safe_next(form.next.data or url_for(".show"))
    if not form.validate_on_submit():
        if _wants_json():
            return problem(400, _first_error(form))
        flash(_first_error(form), "error")
        return redirect(back)
    cart = session_cart()
    try:
        product, held = services.add_item(cart, form.product_id.data, form.quantity.data)
    except DomainError as error:
        if _wants_json():
            return domain_problem(error)
        flash(error.detail, "error")
        return redirect(back)
    save_cart(cart)
    message = _added_message(product.name, form.quantity.data, held)
    if _wants_json():
        return jsonify(message=message, productId=product.id, inCart=held,
                       cartCount=services.unit_count(cart), cartUrl=url_for(".show"))
    # Its own category, so the catalog can show it beside the product's card.
    flash(message, f"added-{product.id}")
    return redirect(back)


@bp.post("/cart/lines/<int:product_id>")
def update_line(product_id: int):
    """Set the quantity of one line; 0 takes it out."""
    form = QuantityForm()
    if not form.validate_on_submit():
        flash(_first_error(form), "error")
        return redirect(url_for(".show"))
    cart = session_cart()
    try:
        product = services.set_quantity(cart, product_id, form.quantity.data)
    except DomainError as error:
        flash(error.detail, "error")
        return redirect(url_for(".show"))
    save_cart(cart)
    if product is None:
        flash("The line was taken out of your cart.", "info")
    else:
        flash(f"Your cart now holds {form.quantity.data} × {product.name}.", "success")
    return redirect(url_for(".show"))


@bp.post("/cart/lines/<int:product_id>/remove")
def remove_line(product_id: int):
    """Take one line out of the cart."""
    if CartActionForm().validate_on_submit():
        cart = session_cart()
        services.remove_item(cart, product_id)
        save_cart(cart)
        flash("The line was taken out of your cart.", "info")
    return redirect(url_for(".show"))


@bp.post("/cart/demo")
def demo():
    """Fill the cart with the demo cart (the same lines as GET /orders/demo-cart); test mode
    only, as a way to try the shop out."""
    if not get_gateway().test_mode:
        raise NotFound("The demo cart is only there in test mode.")
    if CartActionForm().validate_on_submit():
        cart = session_cart()
        services.fill_with_demo_cart(cart)
        save_cart(cart)
        if cart:
            flash("Your cart now holds the demo cart.", "success")
        else:
            flash("The catalog has nothing in stock for a demo cart.", "error")
    return redirect(url_for(".show"))


@bp.post("/cart/clear")
def clear():
    """Empty the cart."""
    if CartActionForm().validate_on_submit():
        save_cart({})
        flash("Your cart is empty.", "info")
    return redirect(url_for(".show"))


@bp.get("/checkout")
@login_required
def checkout():
    """Review the cart, then place the order and pay, all on this page (see checkout.js)."""
    summary = _summary_for_page(session_cart())
    return render_template("cart/checkout.html", summary=summary,
                           payment=page_settings(), methods=shipping.list_methods(),
                           saved_addresses=shipping.saved_addresses(current_user),
                           countries=COUNTRIES)


@bp.get("/checkout/complete")
@login_required
def complete():
    """Where a payment returns to: ask the provider how it went and say so.

    Stripe sends the shopper here after confirmPayment; the offline form does the same. A
    success the provider confirms (amount and currency matching, the webhook's own rules) is
    recorded here too, so a missed webhook never leaves a paying customer pending. The cart
    is emptied once the payment for it has gone through.
    """
    order_id = request.args.get("order", type=int)
    if order_id is None:
        raise NotFound("No order was named.")
    order = orders.get_own_order(current_user, order_id)
    if order.order_status == OrderStatus.PENDING and order.payment_intent_id:
        payments.settle_from_provider(order.payment_intent_id, source="return-page")
        order = orders.get_own_order(current_user, order_id)
    progress = orders.payment_progress(order)
    if progress.went_through:
        cart = session_cart()
        services.clear_if_ordered(cart, progress.order.quantities())
        save_cart(cart)
    if progress.confirmed:
        return redirect(url_for("orders.thanks", order_id=progress.order.id))
    return render_template("cart/complete.html", order=progress.order, outcome=progress.outcome,
                           reason=progress.reason)
