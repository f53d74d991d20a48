"""Pages for a forgotten password (a link by mail) and for changing one's password."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required, login_user

from shop.accounts import passwords
from shop.accounts.forms import ChangePasswordForm, ForgotPasswordForm, ResetPasswordForm
from shop.exceptions import DomainError

bp = Blueprint("passwords", __name__)


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot():
    """Ask for a reset link; the answer is the same whether or not the account exists."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        passwords.request_reset(form.email.data)
        return render_template("accounts/forgot_sent.html", email=form.email.data)
    return render_template("accounts/forgot.html", form=form), 400 if form.errors else 200


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    """Choose a new password with the link from the mail."""
    try:
        user = passwords.user_for_reset(token)
    except passwords.ResetLinkUnusable as error:
        return render_template("accounts/reset_unusable.html", detail=error.detail,
                               reason=error.extra.get("reason")), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            passwords.reset_password(token, form.password.data)
        except DomainError as error:
            form.password.errors.append(error.detail)
        else:
            flash("Your password is changed. Log in with the new one.", "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset.html", form=form, email=user.email), \
        400 if form.errors else 200


@bp.post("/account/password")
@login_required
def change():
    """Change the password, knowing the current one; other sessions are logged out."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            passwords.change_password(current_user, form.current_password.data,
                                      form.password.data)
        except DomainError as error:
            form.current_password.errors.append(error.detail)
        else:
            # This browser stays logged in, under the new session version.
            login_user(current_user._get_current_object())
            flash("Your password is changed. You were logged out everywhere else.", "success")
            return redirect(url_for("accounts.account"))
    for errors in form.errors.values():
        for message in errors:
            flash(message, "error")
    return redirect(url_for("accounts.account") + "#password")
