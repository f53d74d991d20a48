"""Who is calling: a session cookie from the login page, or a bearer token from a script.

A request that carries `Authorization: Bearer …` is authenticated by that token alone: the
session cookie is neither read nor written, so it carries no ambient authority and needs no
CSRF token. Every other unsafe request must send the CSRF token (form field or X-CSRFToken).
"""

from functools import wraps

from flask import Flask, current_app, g, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from itsdangerous import URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode
from itsdangerous.url_safe import URLSafeSerializerMixin
from werkzeug.exceptions import Forbidden

from shop.accounts import services
from shop.accounts.models import User
from shop.errors import is_api_path, problem
from shop.extensions import csrf, login_manager
from shop.memo import Memo

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer":
        return token.strip()
    return None


# Session cookies shorter than this are not compressed (see SessionSerializer).
COMPRESS_FROM = 400


class SessionSerializer(URLSafeTimedSerializer):
    """Flask's session serializer, which compresses a cookie only when it is long enough for
    that to matter: zlib sets up its state anew for every call, which costs more than the rest
    of signing a small session (a login, a CSRF token). Either form reads back."""

    def dump_payload(self, obj) -> bytes:
        plain = super(URLSafeSerializerMixin, self).dump_payload(obj)
        if len(plain) < COMPRESS_FROM:
            return base64_encode(plain)
        return super().dump_payload(obj)


class ShopSessionInterface(SecureCookieSessionInterface):
    """Signed-cookie sessions, switched off for bearer-token requests."""

    def get_signing_serializer(self, app):
        """Flask's serializer (as SessionSerializer), made once per app and key rather than on
        each request."""
        if not app.secret_key:
            return None
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        made = app.extensions.get("shop.session_serializer")
        if made is None or made[0] != keys:
            # Flask's own arguments: the current key last, after the fallbacks.
            made = (keys, SessionSerializer(
                [*keys[1], keys[0]], salt=self.salt, serializer=self.serializer,
                signer_kwargs={"key_derivation": self.key_derivation,
                               "digest_method": self.digest_method}))
            app.extensions["shop.session_serializer"] = made
        return made[1]

    def open_session(self, app, request):
        if "Authorization" in request.headers and bearer_token() is not None:
            return self.session_class()
        return super().open_session(app, request)

    def get_cookie_secure(self, app) -> bool:
        """Secure cookies when configured, and always when the request came over HTTPS."""
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure

    def save_session(self, app, session, response):
        if bearer_token() is not None:
            return
        super().save_session(app, session, response)


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The user of a session, unless that session has since been ended (logout, new password)."""
    user_id, _, version = session_id.partition(":")
    if not (user_id.isascii() and user_id.isdigit() and version.isascii() and version.isdigit()):
        return None
    user = services.user_by_id(int(user_id))
    if user is None or user.session_version != int(version):
        return None
    return user


@login_manager.request_loader
def load_user_from_bearer(req) -> User | None:
    token = bearer_token()
    return services.user_for_token(token) if token else None


@login_manager.unauthorized_handler
def unauthorized():
    if is_api_path(request.path):
        return problem(401, "Log in, or send an API token as 'Authorization: Bearer <token>'.",
                       headers={"WWW-Authenticate": 'Bearer realm="shop"'})
    return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))


def protect_from_csrf() -> None:
    """Check the CSRF token on unsafe requests that rely on the session cookie."""
    if request.method not in UNSAFE_METHODS or bearer_token() is not None:
        return
    if request.routing_exception is not None:
        return  # a 404 or 405 says more than a CSRF failure would
    if is_api_path(request.path) and not current_user.is_authenticated:
        # An anonymous call carries no credentials a forger could borrow: the view answers 401.
        return
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "csrf_exempt", False):
        return
    csrf.protect()


# Signed CSRF tokens by (secret, the session's raw token): see csrf_token.
_signed_tokens = Memo(4096)


def csrf_token() -> str:
    """The CSRF token of this request's forms: flask-wtf's generate_csrf, signed once per
    session and process rather than on every page.

    flask-wtf signs the session's raw token anew on each request, with a timestamp for a time
    limit (WTF_CSRF_TIME_LIMIT) that the shop does not set; that costs more than the rest of a
    page's head. Without a time limit any signature of the same raw token is as good as a fresh
    one, so a process keeps the one it made. A new login makes a new raw token (and so a new
    signature); with a time limit set, every request signs again, as flask-wtf does.
    """
    config = current_app.config
    field = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    signed = g.get(field)
    if signed is not None:
        return signed
    if config.get("WTF_CSRF_TIME_LIMIT") is not None:
        return generate_csrf()
    secret = config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key
    raw = session.get(field)
    signed = _signed_tokens.get((secret, raw)) if raw is not None else None
    if signed is None:
        signed = generate_csrf()  # which makes the session's raw token when it has none
        _signed_tokens.keep((secret, session[field]), signed)
    else:
        setattr(g, field, signed)
    return signed


def csrf_exempt(view):
    """Mark a view that authenticates its caller by other means (Stripe signs its webhooks)."""
    view.csrf_exempt = True
    return view


def staff_required(view):
    """Only staff may pass; anonymous callers are asked to log in, customers get 403."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not current_user.is_staff:
            if is_api_path(request.path):
                return problem(403, "This is for sales staff only.")
            raise Forbidden("This page is for sales staff only.")
        return view(*args, **kwargs)

    return wrapped


def init_auth(app: Flask) -> None:
    app.session_interface = ShopSessionInterface()
    # In place of flask-wtf's generate_csrf, which it offers templates both ways.
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.context_processor(lambda: {"csrf_token": csrf_token})
    login_manager.login_view = "accounts.login"
    login_manager.login_message_category = "info"
    app.before_request(protect_from_csrf)
