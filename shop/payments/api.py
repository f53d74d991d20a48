"""JSON routes of payments: the offline gateway's card form posts here in test mode."""

from flask import Blueprint
from flask_login import current_user, login_required

from shop.exceptions import InvalidInput
from shop.http import json_body
from shop.orders.api import order_json
from shop.payments import services

bp = Blueprint("payments_api", __name__)


@bp.post("/payments/test/confirm")
@login_required
def confirm_test_payment():
    """Pay a pending order with a test card (test mode only): 200 with the order, or 402."""
    body = json_body()
    if not isinstance(body, dict) or not all(
        isinstance(body.get(k), str) and body.get(k) for k in ("clientSecret", "cardNumber")
    ):
        raise InvalidInput("Send {\"clientSecret\": …, \"cardNumber\": …}.",
                           errors=[{"field": k, "message": "Required text."}
                                   for k in ("clientSecret", "cardNumber")
                                   if not isinstance(body, dict) or not body.get(k)])
    order = services.confirm_test_payment(current_user, body["clientSecret"], body["cardNumber"])
    return order_json(order)
