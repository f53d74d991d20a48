"""Forms of the order pages."""

from flask_wtf import FlaskForm


class CancelOrderForm(FlaskForm):
    """An empty form: only its CSRF token matters."""
