"""Forms of the cart pages. Each carries the CSRF token; the cart pages render them by hand
because one page shows a form per line and WTForms would give every input the same id."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField
from wtforms.validators import InputRequired, NumberRange

from shop.orders.services import MAX_UNITS_PER_PRODUCT
from shop.schemas import parse_integer


class WholeNumberField(IntegerField):
    """An IntegerField that reads its text by the API's one integer rule (ASCII digits only)."""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        try:
            self.data = parse_integer(valuelist[0], text=True)
        except ValueError:
            self.data = None  # type: ignore[assignment]  # WTForms' data is None when invalid
            raise ValueError(self.gettext("Not a valid integer value.")) from None


class AddToCartForm(FlaskForm):
    # No upper bound: an id past what the database holds names no product, as the cart says.
    product_id = WholeNumberField(validators=[InputRequired(), NumberRange(min=1)])
    quantity = WholeNumberField("Quantity", default=1, validators=[
        InputRequired(message="Enter how many you want."),
        NumberRange(min=1, max=MAX_UNITS_PER_PRODUCT,
                    message=f"Choose from 1 to {MAX_UNITS_PER_PRODUCT}.")])
    next = HiddenField()


class QuantityForm(FlaskForm):
    quantity = WholeNumberField("Quantity", validators=[
        InputRequired(message="Enter a quantity."),
        NumberRange(min=0, max=MAX_UNITS_PER_PRODUCT,
                    message=f"Choose from 0 to {MAX_UNITS_PER_PRODUCT}.")])


class CartActionForm(FlaskForm):
    """An empty form (remove a line, try the demo cart, empty the cart): only CSRF matters."""
