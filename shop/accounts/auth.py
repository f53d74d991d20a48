"""Who is calling: a session cookie from the login page, or a bearer token from a script.

A request that carries `Authorization: Bearer …` is authenticated by that token alone: the
session cookie is neither read nor written, so it carries no ambient authority and needs no
CSRF token. Every other unsafe request must send the CSRF token (form field or X-CSRFToken).
"""

import copy
import time
from functools import wraps

from flask import Flask, current_app, g, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from itsdangerous import BadSignature, URLSafeTimedSerializer
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
# Session cookies a process keeps the contents of (ShopSessionInterface.open_session).
READ_COOKIES_KEPT = 2048


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

    def _made(self, app) -> tuple | None:
        """(keys, serializer, the cookies it has read), made once per app and key."""
        if not app.secret_key:
            return None
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        made = app.extensions.get("shop.session_serializer")
        if made is None or made[0] != keys:
            # Flask's own arguments: the current key last, after the fallbacks.
            made = (keys, SessionSerializer(
                [*keys[1], keys[0]], salt=self.salt, serializer=self.serializer,
                signer_kwargs={"key_derivation": self.key_derivation,
                               "digest_method": self.digest_method}), Memo(READ_COOKIES_KEPT))
            app.extensions["shop.session_serializer"] = made
        return made

    def get_signing_serializer(self, app):
        """Flask's serializer (as SessionSerializer), made once per app and key rather than on
        each request."""
        made = self._made(app)
        return made[1] if made is not None else None

    def open_session(self, app, request):
        """Flask's signed-cookie session, with what a process has read of each cookie kept.

        Checking the signature and decoding the cookie cost more than the rest of opening a
        session, and a browser sends the same cookie until the session changes. A cookie whose
        signature checked out is kept with its contents and the time it was signed, so the
        next request with the very same cookie skips both; its age is checked each time, as
        Flask checks it. A cookie that fails the check is never kept. Each request gets its own
        copy of the contents, free to change.
        """
        if "Authorization" in request.headers and bearer_token() is not None:
            return self.session_class()
        made = self._made(app)
        if made is None:
            return None
        _, serializer, read = made
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        kept = read.get(cookie)
        if kept is None:
            try:
                data, signed = serializer.loads(cookie, max_age=max_age, return_timestamp=True)
            except BadSignature:  # forged, from another key, or expired
                return self.session_class()
            read.keep(cookie, (int(signed.timestamp()), data))
            return self.session_class(copy.deepcopy(data))
        age = int(time.time()) - kept[0]
        if age > max_age or age < 0:  # as itsdangerous judges it
            return self.session_class()
        return self.session_class(copy.deepcopy(kept[1]))

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
