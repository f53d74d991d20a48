"""JSON routes of shipping methods: anyone reads the active ones, staff manage them."""

from flask import Blueprint, url_for

from shop.accounts.auth import staff_required
from shop.http import json_body
from shop.shipping import services
from shop.shipping.schemas import ShippingMethodIn, ShippingMethodPatch, dump_method, parse

bp = Blueprint("shipping_api", __name__)


@bp.get("/shipping-methods")
def list_methods():
    """The active shipping methods, cheapest first."""
    return [dump_method(m) for m in services.list_methods()]


@bp.post("/shipping-methods")
@staff_required
def create_method():
    """Add a shipping method (staff)."""
    method = services.create_method(parse(ShippingMethodIn, json_body()))
    return dump_method(method), 201, {"Location": url_for(".list_methods") + f"/{method.id}"}


@bp.patch("/shipping-methods/<int:method_id>")
@staff_required
def update_method(method_id: int):
    """Change a shipping method's name, price, countries or whether it is on offer (staff)."""
    return dump_method(services.update_method(method_id, parse(ShippingMethodPatch,
                                                               json_body())))
