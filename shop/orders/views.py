"""The shopper's order pages: history, one order, paying or cancelling a pending order.

They call the same services as GET /orders and POST /orders/status-update.
"""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from shop.exceptions import DomainError, NotFound
from shop.orders import services
from shop.orders.forms import CancelOrderForm
from shop.orders.models import Order
from shop.orders.status import OrderStatus
from shop.payments.gateway import SUCCEEDED, get_gateway

bp = Blueprint("orders", __name__)

HISTORY_PAGE_SIZE = 10


def own_order(order_id: int) -> Order:
    """One of the current user's own orders; NotFound for anybody else's (staff included:
    their view of other people's orders is the staff pages)."""
    order = services.get_order(current_user, order_id)
    if order.user_id != current_user.id:
        raise NotFound(f"There is no order {order_id}.")
    return order


def payment_settings() -> dict:
    """What a page's payment form needs: the mode and, for Stripe, the public pieces."""
    config = current_app.config
    return {
        "test_mode": get_gateway().test_mode,
        "publishable_key": config.get("STRIPE_PUBLISHABLE_KEY") or "",
        "stripe_js_url": config["STRIPE_JS_URL"],
    }


@bp.get("/account/orders")
@login_required
def history():
    """The shopper's own orders, newest first, a page at a time."""
    page = max(request.args.get("page", 1, type=int), 1)
    orders, more = services.list_orders(current_user, limit=HISTORY_PAGE_SIZE,
                                        offset=(page - 1) * HISTORY_PAGE_SIZE)
    return render_template("orders/history.html", orders=orders, page=page, more=more)


@bp.get("/account/orders/<int:order_id>")
@login_required
def detail(order_id: int):
    """One of the shopper's orders: its lines, total and status."""
    order = own_order(order_id)
    return render_template("orders/detail.html", order=order, cancel_form=CancelOrderForm(),
                           pending=order.order_status == OrderStatus.PENDING)


@bp.post("/account/orders/<int:order_id>/cancel")
@login_required
def cancel(order_id: int):
    """Cancel a pending order (its stock goes back and its payment intent is cancelled)."""
    if CancelOrderForm().validate_on_submit():
        own_order(order_id)
        try:
            services.change_status(current_user, order_id, OrderStatus.CANCELLED)
        except DomainError as error:
            flash(error.detail, "error")
        else:
            flash(f"Order {order_id} is cancelled.", "info")
    return redirect(url_for(".detail", order_id=order_id))


@bp.get("/account/orders/<int:order_id>/pay")
@login_required
def pay(order_id: int):
    """The payment form again, for a pending order."""
    order = own_order(order_id)
    if order.order_status != OrderStatus.PENDING:
        flash(f"Order {order.id} is {order.status}; there is nothing to pay.", "info")
        return redirect(url_for(".detail", order_id=order.id))
    intent = get_gateway().retrieve_intent(order.payment_intent_id or "")
    if intent.status == SUCCEEDED:
        # Paid at the provider, waiting for the webhook: paying twice must not be offered.
        return redirect(url_for("cart.complete", order=order.id))
    return render_template("orders/pay.html", order=order, payment=payment_settings(),
                           reason=order.payment_error)
