"""What the shop writes to people, and when: each function queues its mail in the caller's
transaction, keyed by the event so that the event is reported once."""

from flask import current_app

from shop.mail.outbox import enqueue, external_url

# The order statuses a customer is told about, and the subject of each mail.
ORDER_SUBJECTS = {
    "paid": "Order {id} is confirmed",
    "shipped": "Order {id} is on its way",
    "cancelled": "Order {id} is cancelled",
    "refunded": "Order {id} is refunded",
}


def order_status_changed(order, status: str) -> None:
    """Tell the customer (and, for a new paid order, the staff) about an order's new status."""
    if status not in ORDER_SUBJECTS:
        return
    subject = ORDER_SUBJECTS[status].format(id=order.id)
    context = {"order": order, "order_url": external_url("orders.detail", order_id=order.id)}
    enqueue(kind=f"order-{status}", event_key=f"order-{order.id}-{status}",
            recipient=order.user.email, subject=subject, template=f"order_{status}", **context)
    staff = current_app.config.get("SHOP_STAFF_EMAIL")
    if status == "paid" and staff:
        enqueue(kind="staff-new-order", event_key=f"order-{order.id}-paid-staff",
                recipient=staff, subject=f"New order {order.id}", template="staff_new_order",
                order=order, staff_url=external_url("orders.staff_order", order_id=order.id))


def password_reset(user, token: str, event_id: str) -> None:
    """Send a password-reset link; `event_id` tells one request for it from another."""
    enqueue(kind="password-reset", event_key=f"password-reset-{user.id}-{event_id}",
            recipient=user.email, subject="Reset your password", template="password_reset",
            reset_url=external_url("passwords.reset", token=token), user=user)
