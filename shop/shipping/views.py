"""The staff page of shipping methods: add one, change its price, countries or availability.

The forms post to this page; their fields are turned into the same schema the JSON API reads,
so the page and POST/PATCH /shipping-methods share one set of rules.
"""

import re

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from shop.accounts.auth import staff_required
from shop.exceptions import DomainError, InvalidInput
from shop.shipping import services
from shop.shipping.countries import COUNTRIES
from shop.shipping.schemas import ShippingAddress, ShippingMethodIn, ShippingMethodPatch, parse

bp = Blueprint("shipping", __name__)

PRICE = re.compile(r"([0-9]{1,7})(?:[.,]([0-9]{1,2}))?")


class MethodForm(FlaskForm):
    """An empty form: its CSRF token; the fields are read by `_method_fields`."""


def price_to_cents(text: str) -> int:
    """'5', '5.5' or '5.50' as cents; InvalidInput for anything else."""
    match = PRICE.fullmatch(text.strip())
    if not match:
        raise InvalidInput("Enter the price as a number such as 4.95.",
                           errors=[{"field": "price", "message": "A number such as 4.95."}])
    whole, fraction = match.group(1), (match.group(2) or "0").ljust(2, "0")
    return int(whole) * 100 + int(fraction)


def _method_fields(form) -> dict:
    countries = [c for c in re.split(r"[\s,]+", form.get("countries", "")) if c]
    return {"name": form.get("name", ""), "priceInCents": price_to_cents(form.get("price", "")),
            "requiresAddress": form.get("requires_address") == "on",
            "countries": countries, "active": form.get("active") == "on"}


@bp.get("/staff/shipping")
@staff_required
def methods():
    """Every shipping method, active or not, with a form to change each and one to add."""
    return render_template("shipping/staff_methods.html",
                           methods=services.list_methods(include_inactive=True),
                           form=MethodForm(), countries=COUNTRIES)


@bp.post("/staff/shipping")
@staff_required
def add_method():
    """Add a shipping method from the page's form."""
    if MethodForm().validate_on_submit():
        try:
            method = services.create_method(parse(ShippingMethodIn, _method_fields(request.form)))
        except DomainError as error:
            flash(_explain(error), "error")
        else:
            flash(f"{method.name} added.", "success")
    return redirect(url_for(".methods"))


@bp.post("/staff/shipping/<int:method_id>")
@staff_required
def edit_method(method_id: int):
    """Save a shipping method's row of the page."""
    if MethodForm().validate_on_submit():
        try:
            method = services.update_method(
                method_id, parse(ShippingMethodPatch, _method_fields(request.form)))
        except DomainError as error:
            flash(_explain(error), "error")
        else:
            flash(f"{method.name} saved.", "success")
    return redirect(url_for(".methods"))


def _explain(error: DomainError) -> str:
    parts = [error.detail] + [f"{e['field']}: {e['message']}" for e in (error.errors or [])]
    return " ".join(parts)


# --- the shopper's saved addresses, shown on /account --------------------------------------

ADDRESS_FIELDS = ("name", "line1", "line2", "city", "postalCode", "state", "country", "phone")


@bp.post("/account/addresses")
@login_required
def add_address():
    """Save an address on the shopper's account, to pick at checkout."""
    if MethodForm().validate_on_submit():
        # A blank box is a part not given: "Required." for a required one, null for the others.
        fields = {k: value for k in ADDRESS_FIELDS if (value := request.form.get(k, "")).strip()}
        try:
            address = parse(ShippingAddress, fields)
            services.save_address(current_user, address)
        except DomainError as error:
            flash(_explain_address(error), "error")
        else:
            flash(f"Address of {address.name} saved.", "success")
    return redirect(url_for("accounts.account") + "#addresses")


@bp.post("/account/addresses/<int:address_id>/delete")
@login_required
def delete_address(address_id: int):
    """Forget one of the shopper's saved addresses."""
    if MethodForm().validate_on_submit():
        services.delete_address(current_user, address_id)
        flash("Address deleted.", "info")
    return redirect(url_for("accounts.account") + "#addresses")


LABELS = {"name": "Full name", "line1": "Address", "city": "City", "postalCode": "Postal code",
          "country": "Country", "line2": "Apartment, suite, floor", "state": "State or region",
          "phone": "Phone"}


def _explain_address(error: DomainError) -> str:
    problems = [f"{LABELS.get(e['field'], e['field'])}: {e['message']}"
                for e in (error.errors or [])]
    return "The address was not saved. " + (" ".join(problems) or error.detail)
