"""Passwords: reset links sent by mail, and changing a password one knows.

A reset link carries a token signed with the app's secret (itsdangerous) naming the user and a
fingerprint of the password hash the user had when it was sent. It is good for an hour, and
dies as soon as the password changes, which using it does: so it works once.
"""

import hashlib
import secrets

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from werkzeug.security import check_password_hash

from shop.accounts import services
from shop.accounts.models import User
from shop.database import is_row_id
from shop.exceptions import DomainError, InvalidInput
from shop.extensions import db
from shop.mail import notifications

RESET_MAX_AGE = 3600  # seconds a reset link is good for
RESET_SALT = "shop.password-reset"


class ResetLinkUnusable(DomainError):
    """A reset link that is expired, used, or not one the shop made."""

    code = "reset-link-unusable"
    title = "This link cannot be used"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RESET_SALT)


def _fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def reset_token(user: User) -> str:
    """A signed token that resets this user's password, until it changes or an hour passes."""
    return _serializer().dumps({"user": user.id, "password": _fingerprint(user)})


def request_reset(email: str) -> None:
    """Mail a reset link if an account has this email; say nothing either way."""
    user = services.user_by_email(email)
    if user is None:
        return
    notifications.password_reset(user, reset_token(user), event_id=secrets.token_hex(8))
    db.session.commit()


def user_for_reset(token: str) -> User:
    """The user a reset token is for; ResetLinkUnusable saying why it cannot be used."""
    try:
        data = _serializer().loads(token, max_age=RESET_MAX_AGE)
    except SignatureExpired:
        raise ResetLinkUnusable("This password-reset link has expired: links work for one "
                                "hour. Ask for a new one.", reason="expired") from None
    except BadSignature:
        raise ResetLinkUnusable("This password-reset link is not valid. Check that you copied "
                                "all of it, or ask for a new one.", reason="invalid") from None
    user_id = data.get("user") if isinstance(data, dict) else None
    user = db.session.get(User, user_id) if isinstance(user_id, int) and is_row_id(user_id) \
        else None
    if user is None:
        raise ResetLinkUnusable("This password-reset link is not valid. Ask for a new one.",
                                reason="invalid")
    if data.get("password") != _fingerprint(user):
        raise ResetLinkUnusable("This password-reset link was already used, or the password "
                                "has been changed since it was sent. Ask for a new one if you "
                                "still need it.", reason="used")
    return user


def reset_password(token: str, new_password: str) -> User:
    """Set a new password with a reset link; the link (and every other one) dies with it, and
    so does every login session of the user."""
    user = user_for_reset(token)
    services.change_password(user, new_password)
    return user


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Change a password one knows; every session of the user ends (the view renews its own)."""
    if not check_password_hash(user.password_hash, current_password):
        raise InvalidInput("Your current password is not right.",
                           errors=[{"field": "current_password",
                                    "message": "Not your current password."}])
    services.change_password(user, new_password)
