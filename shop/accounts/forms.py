"""Forms of the account pages."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from shop.accounts.services import MAX_EMAIL_LENGTH, MIN_PASSWORD_LENGTH, check_new_email
from shop.exceptions import InvalidInput


class LoginForm(FlaskForm):
    # Looked up, never judged: whatever address an account was made with can log in.
    email = EmailField("Email", validators=[
        DataRequired("Enter your email address."),
        Length(max=MAX_EMAIL_LENGTH, message="That is longer than any email address we hold.")])
    password = PasswordField("Password", validators=[DataRequired("Enter your password.")])


def new_email(form, field) -> None:
    """The accounts service's one rule for new addresses."""
    if field.data and "@" not in field.data:
        raise ValidationError("Enter your email address, like name@example.com.")
    try:
        check_new_email(field.data)
    except InvalidInput as error:
        raise ValidationError(error.errors[0]["message"] if error.errors else error.detail) \
            from None


class RegisterForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired("Enter your email address."), new_email])
    password = PasswordField("Password", validators=[
        DataRequired("Choose a password."),
        Length(min=MIN_PASSWORD_LENGTH, max=200,
               message=f"Use at least {MIN_PASSWORD_LENGTH} characters (and at most 200).")])
    confirm = PasswordField("Repeat password", validators=[
        DataRequired("Type the password again."),
        EqualTo("password", message="The passwords do not match.")])


class TokenForm(FlaskForm):
    name = StringField("Token name", validators=[
        DataRequired("Give the token a name, such as the script that will use it."),
        Length(max=100, message="Keep the name to 100 characters.")])


class RevokeForm(FlaskForm):
    """An empty form: only its CSRF token matters."""
