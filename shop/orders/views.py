"""Staff pages of orders: every order, filtered and paged, and one order with its next steps."""

from urllib.parse import urlencode

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user

from shop.accounts.auth import staff_required
from shop.http import int_arg
from shop.orders import services
from shop.orders.status import OrderStatus, allowed_next, parse_status

bp = Blueprint("orders", __name__)

PAGE_SIZE = 20

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
    page = int_arg("page", default=1, minimum=1, maximum=100_000)
    orders, more = services.list_orders(current_user, all_users=True, status=status,
                                        email=email or None, limit=PAGE_SIZE,
                                        offset=(page - 1) * PAGE_SIZE)
    filters = {k: v for k, v in (("status", status_arg.lower()), ("email", email)) if v}

    def page_url(number: int) -> str:
        query = urlencode({**filters, **({"page": number} if number > 1 else {})})
        return url_for(".staff_orders") + (f"?{query}" if query else "")

    prev_url = page_url(page - 1) if page > 1 else None
    next_url = page_url(page + 1) if more else None
    links = [f'<{u}>; rel="{rel}"' for rel, u in (("prev", prev_url), ("next", next_url)) if u]
    html = render_template("orders/staff_list.html", orders=orders, statuses=list(OrderStatus),
                           status=status, email=email, page=page, prev_url=prev_url,
                           next_url=next_url)
    return html, 200, {"Link": ", ".join(links)} if links else {}


@bp.get("/staff/orders/<int:order_id>")
@staff_required
def staff_order(order_id: int):
    """One order with a button for each status the state machine allows next."""
    order = services.get_order(current_user, order_id)
    actions = [(target, ACTION_LABELS[target]) for target in allowed_next(order.order_status)]
    return render_template("orders/staff_detail.html", order=order, actions=actions)
