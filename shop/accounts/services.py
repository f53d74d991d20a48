"""Accounts: registering users, checking passwords, issuing and revoking API tokens."""

import hashlib
import secrets
from datetime import timedelta

from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import instance_state, manager_of_class
from sqlalchemy.orm.util import identity_key
from werkzeug.security import check_password_hash, generate_password_hash

from shop.accounts.models import ApiToken, Role, User
from shop.database import first_row, has_session, is_row_id, join_session_when_made, utcnow
from shop.exceptions import InvalidInput, NotFound, StateConflict
from shop.extensions import db

TOKEN_PREFIX = "shop_"
MIN_PASSWORD_LENGTH = 8
# Writing last_used_at on every request would turn each read into a write; a minute is enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


MAX_EMAIL_LENGTH = 254


def normalise_email(email: str) -> str:
    """The form an address is stored and looked up in."""
    return email.strip().lower()


def check_new_email(email: str) -> str:
    """The one rule for a new account's address (CLI, register page, API); returns it normalised.

    The syntax is email_validator's; no DNS lookup, and special-use domains such as .local or
    .test are welcome, since staff accounts often live on internal domains.
    """
    email = normalise_email(email)
    local, _, domain = email.rpartition("@")
    # email_validator refuses special-use names outright; check the rest of the syntax with an
    # ordinary top-level name in their place.
    for special in SPECIAL_USE_DOMAIN_NAMES:
        if domain == special or domain.endswith("." + special):
            domain = domain[: -len(special)] + ("example" if domain != special else "example.com")
            break
    try:
        validate_email(f"{local}@{domain}", check_deliverability=False, test_environment=True,
                       allow_smtputf8=True)
    except EmailNotValidError as error:
        raise InvalidInput("Enter a valid email address.",
                           errors=[{"field": "email", "message": str(error)}]) from None
    if len(email) > MAX_EMAIL_LENGTH:
        raise InvalidInput("Enter a valid email address.",
                           errors=[{"field": "email", "message": "Too long."}])
    return email


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


_dummy_hashes: dict[str, str] = {}


def _dummy_hash() -> str:
    """A hash of no one's password, made with the configured method, for unknown emails."""
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method not in _dummy_hashes:
        _dummy_hashes[method] = generate_password_hash(secrets.token_urlsafe(16), method=method)
    return _dummy_hashes[method]


def create_user(email: str, password: str, role: Role = Role.CUSTOMER) -> User:
    """Add a user; the email must be new and the password long enough."""
    email = check_new_email(email)
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
    email = normalise_email(email)
    if not email.isprintable() or len(email) > MAX_EMAIL_LENGTH:
        return None  # no stored address holds control characters; PostgreSQL refuses NUL
    return db.session.scalar(select(User).where(User.email == email))


def authenticate(email: str, password: str) -> User | None:
    """The user with this email and password, or None."""
    user = user_by_email(email)
    # An unknown email costs the same hashing as a known one: timing tells nothing.
    matches = check_password_hash(user.password_hash if user else _dummy_hash(), password)
    return user if user is not None and matches else None


def end_sessions(user: User) -> None:
    """End every login session of this user: cookies saved before no longer log anyone in."""
    db.session.execute(update(User).where(User.id == user.id)
                       .values(session_version=User.session_version + 1))
    db.session.commit()
    db.session.refresh(user)


def change_password(user: User, password: str) -> None:
    """Set a new password; every session made with the old one ends."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            f"Passwords need at least {MIN_PASSWORD_LENGTH} characters.",
            errors=[{"field": "password", "message": "Too short."}],
        )
    user.password_hash = hash_password(password)
    user.session_version = User.session_version + 1
    db.session.commit()
    db.session.refresh(user)


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


def tokens_of(user: User) -> list[ApiToken]:
    """The user's tokens, newest first, revoked ones too."""
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())))


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
_USER_CLASS = manager_of_class(User)
_tokens = ApiToken.__table__.c
_TOKEN_OWNER = (
    select(*_USER_COLUMNS, _tokens.id, _tokens.last_used_at)
    .join(ApiToken.__table__, _tokens.user_id == User.__table__.c.id)
    .where(_tokens.token_hash == bindparam("token_hash"), _tokens.revoked_at.is_(None))
)


def _user_from_row(values) -> User:
    """The request's User for a row of _USER_COLUMNS, made without the ORM loading it: in
    the request's session, or joining it when the request makes one (see first_row)."""
    fields = dict(zip(_USER_KEYS, values, strict=True))
    session = has_session()
    if session:
        known = db.session.identity_map.get(identity_key(User, fields["id"]))
        if known is not None:
            return known  # the session's own copy, with whatever it has changed
    # The row's values as loaded state, as the ORM's own loading sets them: User(**fields)
    # would record each as a change to save, only for the next line to forget them again.
    user = _USER_CLASS.new_instance()
    instance_state(user).dict.update(fields)
    make_transient_to_detached(user)
    if session:
        db.session.add(user)
    else:
        join_session_when_made(user)
    return user


_USER_BY_ID = select(*_USER_COLUMNS).where(User.__table__.c.id == bindparam("user_id"))


def user_by_id(user_id: int) -> User | None:
    """The user with this id (a session's), read as cheaply as the token's owner."""
    if not is_row_id(user_id):
        return None
    row = first_row(_USER_BY_ID, {"user_id": user_id})
    return _user_from_row(row) if row is not None else None


def user_for_token(plain: str) -> User | None:
    """The owner of an active token, noting when it was last used.

    One statement finds the user; the stamp is written only when it is older than
    LAST_USED_RESOLUTION, so a script's requests are reads, not writes.
    """
    row = first_row(_TOKEN_OWNER, {"token_hash": _digest(plain)})
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
