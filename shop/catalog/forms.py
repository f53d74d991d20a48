"""Forms of the staff's product pages: they render fields and carry the CSRF token; the
catalog's schemas (shop.catalog.schemas) decide what is valid."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional


class ProductForm(FlaskForm):
    name = StringField("Name")
    sku = StringField("SKU")
    price = StringField("Price", render_kw={"inputmode": "decimal", "placeholder": "12.50"})
    stock = IntegerField("Opening stock", validators=[Optional()], default=0,
                         render_kw={"min": 0})
    category_id = SelectField("Category", validate_choice=False)
    description = TextAreaField("Description", render_kw={"rows": 4})
    active = BooleanField("For sale")


class AdjustStockForm(FlaskForm):
    change = IntegerField("Change", validators=[InputRequired()],
                          render_kw={"placeholder": "+12 or -3"})
    reason = StringField("Reason", validators=[InputRequired()],
                         render_kw={"placeholder": "delivery, damaged, count…"})


class ImageForm(FlaskForm):
    image = FileField("Picture file", validators=[FileRequired()],
                      render_kw={"accept": "image/jpeg,image/png,image/webp",
                                 "data-image-preview": ""})
