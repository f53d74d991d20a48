"""Accounts: registering users, checking passwords, issuing and revoking API tokens."""

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.orm import make_transient_to_detached
from werkzeug.security import check_password_hash, generate_password_hash

from shop.accounts.models import ApiToken, Role, User
from shop.database import utcnow
from shop.exceptions import InvalidInput, NotFound, StateConflict
from shop.extensions import db

TOKEN_PREFIX = "shop_"
MIN_PASSWORD_LENGTH = 8
# Writing last_used_at on every request would turn each read into a write; a minute is enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def create_user(email: str, password: str, role: Role = Role.CUSTOMER) -> User:
    """Add a user; the email must be new and the password long enough."""
    email = normalise_email(email)
    if "@" not in email:
        raise InvalidInput("Enter a valid email address.",
                           errors=[{"field": "email", "message": "Not an email address."}])
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            f"Passwords need at least {MIN_PASSWORD_LENGTH} characters.",
            errors=[{"field": "password", "message": "Too short."}],
        )
    if user_by_email(email) is not None:
        raise StateConflict("An account with that email already exists.")
    user = User(email=email, password_hash=hash_password(password), role=Role(role))
    db.session.add(user)
    db.session.commit()
    return user


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def authenticate(email: str, password: str) -> User | None:
    """The user with this email and password, or None."""
    user = user_by_email(email)
    if user is None or not check_password_hash(user.password_hash, password):
        return None
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Issue a token for `user`; returns the row and the plain token, which is not kept."""
    name = name.strip() or "API token"
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name[:100], token_hash=_digest(plain), prefix=plain[:12])
    db.session.add(token)
    db.session.commit()
    return token, plain


def revoke_token(user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound("No such token.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.commit()
    return token


# A user's columns, and the statement from a token's digest to its owner, built once: for the
# user of each request, building the statement and the ORM's loading cost more than the query.
_USER_COLUMNS = tuple(attr.columns[0] for attr in User.__mapper__.column_attrs)
_USER_KEYS = tuple(attr.key for attr in User.__mapper__.column_attrs)
_tokens = ApiToken.__table__.c
_TOKEN_OWNER = (
    select(*_USER_COLUMNS, _tokens.id, _tokens.last_used_at)
    .join(ApiToken.__table__, _tokens.user_id == User.__table__.c.id)
    .where(_tokens.token_hash == bindparam("token_hash"), _tokens.revoked_at.is_(None))
)


def _user_from_row(values) -> User:
    """The session's User for a row of _USER_COLUMNS, made without the ORM loading it."""
    user = User(**dict(zip(_USER_KEYS, values, strict=True)))
    make_transient_to_detached(user)
    return db.session.merge(user, load=False)


def user_for_token(plain: str) -> User | None:
    """The owner of an active token, noting when it was last used.

    One statement finds the user; the stamp is written only when it is older than
    LAST_USED_RESOLUTION, so a script's requests are reads, not writes.
    """
    row = db.session.execute(_TOKEN_OWNER, {"token_hash": _digest(plain)}).first()
    if row is None:
        return None
    *user_values, token_id, last_used_at = row
    now = utcnow()
    if last_used_at is None or now - last_used_at > LAST_USED_RESOLUTION:
        # Conditional, so that of several requests arriving at once only one writes.
        db.session.execute(
            update(ApiToken)
            .where(ApiToken.id == token_id,
                   or_(ApiToken.last_used_at.is_(None),
                       ApiToken.last_used_at < now - LAST_USED_RESOLUTION))
            .values(last_used_at=now)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
    return _user_from_row(user_values)
