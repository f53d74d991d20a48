"""Forms of the cart pages. Each carries the CSRF token; the cart pages render them by hand
because one page shows a form per line and WTForms would give every input the same id."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField
from wtforms.validators import InputRequired, NumberRange

from shop.orders.services import MAX_UNITS_PER_PRODUCT


class AddToCartForm(FlaskForm):
    product_id = IntegerField(validators=[InputRequired(), NumberRange(min=1)])
    quantity = IntegerField("Quantity", default=1, validators=[
        InputRequired(message="Enter how many you want."),
        NumberRange(min=1, max=MAX_UNITS_PER_PRODUCT,
                    message=f"Choose from 1 to {MAX_UNITS_PER_PRODUCT}.")])
    next = HiddenField()


class QuantityForm(FlaskForm):
    quantity = IntegerField("Quantity", validators=[
        InputRequired(message="Enter a quantity."),
        NumberRange(min=0, max=MAX_UNITS_PER_PRODUCT,
                    message=f"Choose from 0 to {MAX_UNITS_PER_PRODUCT}.")])


class CartActionForm(FlaskForm):
    """An empty form (remove a line, try the demo cart, empty the cart): only CSRF matters."""
