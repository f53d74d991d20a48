"""Forms of the staff's product pages: they render fields and carry the CSRF token; the
catalog's schemas (shop.catalog.schemas) decide what is valid."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Optional, ValidationError

from shop.catalog.csv_io import parse_price


class WholeNumber(IntegerField):
    """An IntegerField that says what it wants in the shop's words."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Enter a whole number, such as 12 or -3.") from None


def a_price(form, field) -> None:
    """A price as the catalog reads it: the message says how to write one."""
    if parse_price((field.data or "").strip()) is None:
        raise ValidationError("Enter a price such as 12.50 (no currency sign).")


class ProductForm(FlaskForm):
    # What a person gets wrong is caught here, in plain words; the schema still decides.
    name = StringField("Name", validators=[DataRequired("Give the product a name.")])
    sku = StringField("SKU")
    price = StringField("Price", validators=[a_price],
                        render_kw={"inputmode": "decimal", "placeholder": "12.50"})
    stock = WholeNumber("Opening stock", validators=[Optional()], default=0,
                         render_kw={"min": 0})
    category_id = SelectField("Category", validate_choice=False)
    description = TextAreaField("Description", render_kw={"rows": 4})
    active = BooleanField("For sale")


class AdjustStockForm(FlaskForm):
    change = WholeNumber("Change",
                         validators=[InputRequired("Enter the change, such as 12 or -3.")],
                         render_kw={"placeholder": "+12 or -3"})
    reason = StringField("Reason", validators=[InputRequired("Say why the stock changes.")],
                         render_kw={"placeholder": "delivery, damaged, count…"})


class ImageForm(FlaskForm):
    image = FileField("Picture file", validators=[FileRequired("Choose an image file.")],
                      render_kw={"accept": "image/jpeg,image/png,image/webp",
                                 "data-image-preview": ""})
