"""Forms of the account pages. Their messages say in plain words what to do."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from shop.accounts.services import MIN_PASSWORD_LENGTH

ENTER_EMAIL = "Enter your email address."
NOT_AN_EMAIL = "That does not look like an email address: check it for typos."
TOO_SHORT = f"Choose a password of at least {MIN_PASSWORD_LENGTH} characters."
NO_MATCH = "The two passwords are not the same: type the new one again in both fields."


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(ENTER_EMAIL), Email(NOT_AN_EMAIL)])
    password = PasswordField("Password", validators=[DataRequired("Enter your password.")])


class RegisterForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(ENTER_EMAIL), Email(NOT_AN_EMAIL),
                                            Length(max=254, message="That address is too long.")])
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
    email = EmailField("Email", validators=[DataRequired(ENTER_EMAIL), Email(NOT_AN_EMAIL)])


class ResetPasswordForm(FlaskForm):
    password = PasswordField("New password", validators=[
        DataRequired(TOO_SHORT), Length(min=MIN_PASSWORD_LENGTH, max=200, message=TOO_SHORT)])
    confirm = PasswordField("Repeat new password", validators=[
        DataRequired("Type the new password again."), EqualTo("password", message=NO_MATCH)])


class ChangePasswordForm(ResetPasswordForm):
    current_password = PasswordField("Current password", validators=[
        DataRequired("Enter your current password.")])
