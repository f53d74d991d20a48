"""Forms of the account pages. Their messages say in plain words what to do."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from shop.accounts.services import MAX_EMAIL_LENGTH, MIN_PASSWORD_LENGTH, check_new_email
from shop.exceptions import InvalidInput

ENTER_EMAIL = "Enter your email address."
NOT_AN_EMAIL = "That does not look like an email address: check it for typos."
TOO_SHORT = f"Choose a password of at least {MIN_PASSWORD_LENGTH} characters."
NO_MATCH = "The two passwords are not the same: type the new one again in both fields."


class LoginForm(FlaskForm):
    # Looked up, never judged: whatever address an account was made with can log in.
    email = EmailField("Email", validators=[DataRequired(ENTER_EMAIL),
                                            Length(max=MAX_EMAIL_LENGTH, message=NOT_AN_EMAIL)])
    password = PasswordField("Password", validators=[DataRequired("Enter your password.")])


def new_email(form, field) -> None:
    """The accounts service's one rule for new addresses."""
    try:
        check_new_email(field.data)
    except InvalidInput as error:
        reason = error.errors[0]["message"] if error.errors else error.detail
        raise ValidationError(f"{NOT_AN_EMAIL} ({reason})") from None


class RegisterForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(ENTER_EMAIL), new_email])
    password = PasswordField("Password", validators=[
        DataRequired(TOO_SHORT), Length(min=MIN_PASSWORD_LENGTH, max=200, message=TOO_SHORT)])
    confirm = PasswordField("Repeat password", validators=[
        DataRequired("Type the password again."), EqualTo("password", message=NO_MATCH)])


class TokenForm(FlaskForm):
    name = StringField("Token name", validators=[DataRequired("Give the token a name."),
                                                 Length(max=100)])


class RevokeForm(FlaskForm):
    """An empty form: only its CSRF token matters."""


class ForgotPasswordForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(ENTER_EMAIL),
                                            Length(max=MAX_EMAIL_LENGTH, message=NOT_AN_EMAIL)])


class ResetPasswordForm(FlaskForm):
    password = PasswordField("New password", validators=[
        DataRequired(TOO_SHORT), Length(min=MIN_PASSWORD_LENGTH, max=200, message=TOO_SHORT)])
    confirm = PasswordField("Repeat new password", validators=[
        DataRequired("Type the new password again."), EqualTo("password", message=NO_MATCH)])


class ChangePasswordForm(ResetPasswordForm):
    current_password = PasswordField("Current password", validators=[
        DataRequired("Enter your current password.")])
