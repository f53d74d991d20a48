"""Forms of the account pages."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from shop.accounts.services import MAX_EMAIL_LENGTH, MIN_PASSWORD_LENGTH, check_new_email
from shop.exceptions import InvalidInput


class LoginForm(FlaskForm):
    # Looked up, never judged: whatever address an account was made with can log in.
    email = EmailField("Email", validators=[DataRequired(), Length(max=MAX_EMAIL_LENGTH)])
    password = PasswordField("Password", validators=[DataRequired()])


def new_email(form, field) -> None:
    """The accounts service's one rule for new addresses."""
    try:
        check_new_email(field.data)
    except InvalidInput as error:
        raise ValidationError(error.errors[0]["message"] if error.errors else error.detail) \
            from None


class RegisterForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), new_email])
    password = PasswordField("Password", validators=[DataRequired(),
                                                     Length(min=MIN_PASSWORD_LENGTH, max=200)])
    confirm = PasswordField("Repeat password", validators=[
        DataRequired(), EqualTo("password", message="The passwords do not match.")])


class TokenForm(FlaskForm):
    name = StringField("Token name", validators=[DataRequired(), Length(max=100)])


class RevokeForm(FlaskForm):
    """An empty form: only its CSRF token matters."""
