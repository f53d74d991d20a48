"""Pages for logging in, registering and managing API tokens."""

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from shop.accounts import services
from shop.accounts.forms import (
    ChangePasswordForm,
    LoginForm,
    RegisterForm,
    RevokeForm,
    TokenForm,
)
from shop.exceptions import DomainError
from shop.shipping import services as shipping
from shop.shipping.countries import COUNTRIES

bp = Blueprint("accounts", __name__)


def is_safe_target(target: object) -> bool:
    """A path on this site, in printable ASCII: no scheme, no host, nothing a header can't carry."""
    if not isinstance(target, str) or not target.startswith("/") or target.startswith("//"):
        return False
    if any(not ("!" <= ch <= "~") for ch in target) or "\\" in target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next(target: str | None) -> str:
    """The one redirect-target check: follow `next` only to a path on this site, else go home."""
    return target if target is not None and is_safe_target(target) else url_for("catalog.index")


def _fresh_csrf_token() -> None:
    """A new CSRF token for a new login: one seen before logging in is no use after."""
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    session.pop(field, None)
    g.pop(field, None)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log in with email and password."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            _fresh_csrf_token()
            login_user(user, remember=False)
            flash("You are logged in.", "success")
            return redirect(safe_next(request.args.get("next")))
        flash("That email and password do not match an account.", "error")
    return render_template("accounts/login.html", form=form), 200 if not form.errors else 400


@bp.route("/register", methods=["GET", "POST"])
def register():
    """Create a shopper account and log in."""
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = services.create_user(form.email.data, form.password.data)
        except DomainError as error:
            form.email.errors.append(error.detail)
        else:
            _fresh_csrf_token()
            login_user(user)
            flash("Welcome! Your account is ready.", "success")
            return redirect(safe_next(request.args.get("next")))
    status = 400 if form.errors else 200
    return render_template("accounts/register.html", form=form), status


@bp.post("/logout")
def logout():
    """Log out, forgetting the session's cart too: the next person at this browser starts afresh.

    The session ends on the server as well, so a copy of the cookie kept elsewhere is dead.
    """
    if current_user.is_authenticated:
        services.end_sessions(current_user)
    logout_user()
    session.clear()
    flash("You are logged out.", "info")
    return redirect(url_for("catalog.index"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """The account: change the password, saved addresses, and the API tokens."""
    form = TokenForm()
    new_token = None
    if form.validate_on_submit():
        token, new_token = services.create_token(current_user, form.name.data)
        flash(f"Token “{token.name}” created. Copy it now: it will not be shown again.",
              "success")
        form = TokenForm(formdata=None)
    return render_template("accounts/account.html", form=form, new_token=new_token,
                           tokens=services.tokens_of(current_user), revoke_form=RevokeForm(),
                           password_form=ChangePasswordForm(formdata=None),
                           addresses=shipping.saved_addresses(current_user),
                           countries=COUNTRIES)


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    """Revoke one of the user's API tokens."""
    if RevokeForm().validate_on_submit():
        token = services.revoke_token(current_user, token_id)
        flash(f"Token “{token.name}” revoked.", "info")
    return redirect(url_for(".account"))
