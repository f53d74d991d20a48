"""Order pages: the shopper's history and orders (paying or cancelling a pending one), and
the staff's list of every order with each order's next steps.

They call the same services as GET /orders and POST /orders/status-update.
"""

from urllib.parse import urlencode

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup

from shop.accounts.auth import staff_required
from shop.exceptions import DomainError
from shop.http import int_arg
from shop.money import format_money, parse_major
from shop.orders import services
from shop.orders.forms import CancelOrderForm, RefundForm
from shop.orders.kept import kept
from shop.orders.status import OrderStatus, allowed_next, parse_status
from shop.payments.gateway import page_settings

bp = Blueprint("orders", __name__)

HISTORY_PAGE_SIZE = 10
STAFF_PAGE_SIZE = 20


def _by_name(item) -> tuple:
    return item.name, item.product_id


@bp.get("/account/orders")
@login_required
def history():
    """The shopper's own orders, newest first, a page at a time."""
    page = int_arg("page", default=1, minimum=1, maximum=100_000)
    user = current_user._get_current_object()

    def listing() -> Markup:
        orders, more = services.list_orders(user, limit=HISTORY_PAGE_SIZE,
                                            offset=(page - 1) * HISTORY_PAGE_SIZE)
        for order in orders:  # each order's items by name (then product), as the page lists
            order.items.sort(key=_by_name)
        template = current_app.jinja_env.get_template("orders/_history_list.html")
        return Markup(template.render(orders=orders, page=page, more=more))

    return render_template("orders/history.html",
                           listing=kept(user, ("history", page, request.script_root), listing))


@bp.get("/account/orders/<int:order_id>")
@login_required
def detail(order_id: int):
    """One of the shopper's orders: its lines, total and status."""
    order = services.get_own_order(current_user, order_id)
    return render_template("orders/detail.html", order=order, cancel_form=CancelOrderForm(),
                           pending=order.order_status == OrderStatus.PENDING)


@bp.get("/account/orders/<int:order_id>/thank-you")
@login_required
def thanks(order_id: int):
    """Where a paid checkout lands: the order number and what happens next."""
    order = services.get_own_order(current_user, order_id)
    if order.order_status == OrderStatus.PENDING:
        return redirect(url_for(".detail", order_id=order.id))
    return render_template("orders/thanks.html", order=order)


@bp.post("/account/orders/<int:order_id>/cancel")
@login_required
def cancel(order_id: int):
    """Cancel a pending order (its stock goes back and its payment intent is cancelled)."""
    if CancelOrderForm().validate_on_submit():
        services.get_own_order(current_user, order_id)
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
    order = services.get_own_order(current_user, order_id)
    if order.order_status != OrderStatus.PENDING:
        flash(f"Order {order.id} is {order.status}; there is nothing to pay.", "info")
        return redirect(url_for(".detail", order_id=order.id))
    if services.payment_progress(order).succeeded:
        # Paid at the provider, waiting for the webhook: paying twice must not be offered.
        return redirect(url_for("cart.complete", order=order.id))
    return render_template("orders/pay.html", order=order, payment=page_settings(),
                           reason=order.payment_error)


# --- staff ---------------------------------------------------------------------------------

# What the button that moves an order to each status says.
ACTION_LABELS = {
    OrderStatus.PAID: "Mark as paid",
    OrderStatus.SHIPPED: "Mark as shipped",
    OrderStatus.COMPLETED: "Mark as completed",
    OrderStatus.CANCELLED: "Cancel order",
    OrderStatus.REFUNDED: "Refund",
}


@bp.get("/staff/orders")
@staff_required
def staff_orders():
    """Every order, newest first; filter by status, search by customer email, paged."""
    status_arg = request.args.get("status", "").strip()
    status = parse_status(status_arg) if status_arg else None
    email = request.args.get("email", "").strip()
    attention = request.args.get("attention", "") in ("1", "on", "true")
    page = int_arg("page", default=1, minimum=1, maximum=100_000)
    orders, more = services.list_orders(current_user, all_users=True, status=status,
                                        email=email or None, limit=STAFF_PAGE_SIZE,
                                        offset=(page - 1) * STAFF_PAGE_SIZE,
                                        needs_attention=attention)
    filters = {k: v for k, v in (("status", status_arg.lower()), ("email", email),
                                 ("attention", "1" if attention else "")) if v}

    def page_url(number: int) -> str:
        query = urlencode({**filters, **({"page": number} if number > 1 else {})})
        return url_for(".staff_orders") + (f"?{query}" if query else "")

    prev_url = page_url(page - 1) if page > 1 else None
    next_url = page_url(page + 1) if more else None
    links = [f'<{u}>; rel="{rel}"' for rel, u in (("prev", prev_url), ("next", next_url)) if u]
    html = render_template("orders/staff_list.html", orders=orders, statuses=list(OrderStatus),
                           status=status, email=email, page=page, prev_url=prev_url,
                           next_url=next_url, attention=attention)
    return html, 200, {"Link": ", ".join(links)} if links else {}


@bp.get("/staff/orders/<int:order_id>")
@staff_required
def staff_order(order_id: int):
    """One order with a button for each status the state machine allows next."""
    order = services.get_order(current_user, order_id, with_customer=True)
    actions = [(target, ACTION_LABELS[target]) for target in allowed_next(order.order_status)]
    refunds, mismatches = services.payment_ledger(order)
    return render_template("orders/staff_detail.html", order=order, actions=actions,
                           refunds=refunds, mismatches=mismatches, refund_form=RefundForm(),
                           can_refund=(order.order_status in services.REFUNDABLE
                                       and order.refundable_in_cents > 0))


@bp.post("/staff/orders/<int:order_id>/refund")
@staff_required
def staff_refund(order_id: int):
    """Refund part of an order (or what is left) from its staff page."""
    form = RefundForm()
    order = services.get_order(current_user, order_id)
    if not form.validate_on_submit():
        flash("The refund form was not accepted; please try again.", "error")
        return redirect(url_for(".staff_order", order_id=order_id))
    amount = None
    if (form.amount.data or "").strip():
        amount = parse_major(form.amount.data, order.currency)
        if amount is None or amount <= 0:
            flash(f"{form.amount.data!r} is not an amount to refund.", "error")
            return redirect(url_for(".staff_order", order_id=order_id))
    try:
        refund = services.refund_order(current_user, order_id, amount,
                                       reason=(form.reason.data or "").strip() or None)
    except DomainError as error:
        flash(f"Not refunded: {error.detail}", "error")
    else:
        if refund is not None:
            flash(f"Refunded {format_money(refund.amount_in_cents, order.currency)} "
                  f"({refund.status}).", "info")
    return redirect(url_for(".staff_order", order_id=order_id))
