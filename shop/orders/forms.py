"""Forms of the order pages."""

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length, Optional


class CancelOrderForm(FlaskForm):
    """An empty form: only its CSRF token matters."""


class RefundForm(FlaskForm):
    """A refund from the staff order page: an amount in the currency's unit (empty: what is
    left) and a reason."""

    amount = StringField("Amount to refund", validators=[Optional(), Length(max=30)])
    reason = StringField("Reason", validators=[Optional(), Length(max=500)])
