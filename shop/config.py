"""Configuration read from the environment, with embedded defaults for a laptop."""

import logging
import os
import secrets
import tempfile
from pathlib import Path

import orjson

log = logging.getLogger(__name__)
SECRET_KEY_FILE = "secret_key"

ENV_KEYS = (
    "SECRET_KEY",
    "DATABASE_URL",
    "STRIPE_SECRET_KEY",
    "STRIPE_PUBLISHABLE_KEY",
    "STRIPE_WEBHOOK_SECRET",
    "STRIPE_API_BASE",
    "SHOP_CURRENCY",
    "SHOP_LOCALE",
    "SHOP_STATEMENT_DESCRIPTOR_SUFFIX",
    "RATELIMIT_STORAGE_URI",
    "SHOP_DB_PING_AFTER_IDLE",
    "MAIL_SERVER",
    "MAIL_PORT",
    "MAIL_USERNAME",
    "MAIL_PASSWORD",
    "MAIL_USE_TLS",
    "MAIL_DEFAULT_SENDER",
    "SHOP_STAFF_EMAIL",
    "SHOP_BASE_URL",
    "SHOP_PROXY_HOPS",
    "LOG_FORMAT",
    "LOG_LEVEL",
    "SHOP_MEDIA_DIR",
    "SHOP_NAME",
    "SHOP_TAGLINE",
    "SHOP_LOGO",
    "CACHE_REDIS_URL",
    "CACHE_TYPE",
)


def load_config(app, overrides: dict | None = None) -> None:
    """Fill app.config: defaults, then instance/config.py, then the environment, then overrides."""
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    app.config.update(
        # No literal key: without SECRET_KEY, ensure_secret_key() makes one in instance/.
        SECRET_KEY=None,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{instance / 'shop.sqlite'}",
        SHOP_CURRENCY="usd",
        # How money reads on the pages and in their scripts (a Babel/CLDR locale).
        SHOP_LOCALE="en_US",
        STRIPE_SECRET_KEY=None,
        STRIPE_PUBLISHABLE_KEY=None,
        STRIPE_WEBHOOK_SECRET=None,
        STRIPE_API_BASE=None,
        # Shown on the buyer's card statement after the account's own descriptor (≤ 22 chars).
        SHOP_STATEMENT_DESCRIPTOR_SUFFIX=None,
        RATELIMIT_STORAGE_URI="memory://",
        RATELIMIT_HEADERS_ENABLED=True,
        # Limits of the routes an attacker would hammer (flask-limiter notation).
        SHOP_LOGIN_LIMIT_PER_ADDRESS="20 per minute",
        SHOP_LOGIN_LIMIT_PER_ACCOUNT="10 per 15 minutes",
        SHOP_REGISTER_LIMIT="10 per hour",
        SHOP_TOKEN_LIMIT="20 per hour",
        SHOP_ORDER_LIMIT="30 per hour",
        SHOP_PASSWORD_RESET_LIMIT_PER_ADDRESS="10 per hour",
        SHOP_PASSWORD_RESET_LIMIT_PER_ACCOUNT="3 per hour",
        # How many proxies in front of the shop set X-Forwarded-*; 0 trusts none.
        SHOP_PROXY_HOPS=0,
        LOG_FORMAT="text",
        LOG_LEVEL="INFO",
        # Never print SQL parameters (passwords, secrets). JSON columns (addresses, tracking)
        # are read by orjson: about ten times less work than json's. Pooled connections to a
        # database server are checked by shop.database.check_idle_connections instead of
        # pool_pre_ping (a round trip on every request).
        SQLALCHEMY_ENGINE_OPTIONS={"hide_parameters": True, "json_deserializer": orjson.loads},
        # Seconds a pooled connection to a database server may sit unused and still be handed
        # out unchecked; one idle longer is pinged first (0: ping every time, as pool_pre_ping).
        SHOP_DB_PING_AFTER_IDLE=1.0,
        # CSRF is checked by the shop's own before_request, which exempts bearer requests.
        WTF_CSRF_CHECK_DEFAULT=False,
        WTF_CSRF_TIME_LIMIT=None,
        MAX_CONTENT_LENGTH=1024 * 1024,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
        PASSWORD_HASH_METHOD="scrypt",
        SEND_FILE_MAX_AGE_DEFAULT=3600,
        # Where the checkout page loads Stripe.js from in Stripe mode; tests serve a stand-in.
        STRIPE_JS_URL="https://js.stripe.com/v3/",
        # Mail: SMTP when MAIL_SERVER is set, otherwise .eml files in MAIL_FILE_DIR.
        MAIL_SERVER=None,
        MAIL_PORT=25,
        MAIL_USERNAME=None,
        MAIL_PASSWORD=None,
        MAIL_USE_TLS=False,
        MAIL_DEFAULT_SENDER="Shop <shop@localhost>",
        MAIL_FILE_DIR=str(instance / "mail"),
        # Seconds before the first retry of a mail the server did not take; doubles each time.
        MAIL_RETRY_DELAY=60,
        # Deliver from a background thread right after the commit that queued mail.
        MAIL_DELIVER_AFTER_COMMIT=True,
        SHOP_STAFF_EMAIL=None,
        # Where links in mail point, e.g. https://shop.example.com (else the request's host).
        SHOP_BASE_URL=None,
    )
    app.config.from_pyfile("config.py", silent=True)
    for key in ENV_KEYS:
        if os.environ.get(key):
            app.config[key] = os.environ[key]
    if app.config.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(app.config["DATABASE_URL"])
    app.config.update(overrides or {})
    app.config["MAIL_PORT"] = int(app.config["MAIL_PORT"])
    if isinstance(app.config["MAIL_USE_TLS"], str):
        app.config["MAIL_USE_TLS"] = app.config["MAIL_USE_TLS"].strip().lower() in {
            "1", "true", "yes", "on"}
    app.config["SHOP_CURRENCY"] = app.config["SHOP_CURRENCY"].lower()
    app.config["SHOP_DB_PING_AFTER_IDLE"] = float(app.config["SHOP_DB_PING_AFTER_IDLE"])
    app.config["SHOP_PROXY_HOPS"] = int(app.config["SHOP_PROXY_HOPS"])
    app.config["LOG_FORMAT"] = str(app.config["LOG_FORMAT"]).lower()


def ensure_secret_key(app) -> None:
    """Without a configured SECRET_KEY, use the instance's own, made at random on first start."""
    if app.config.get("SECRET_KEY"):
        return
    path = Path(app.instance_path) / SECRET_KEY_FILE
    if not path.exists():
        # Written aside and linked into place, so two workers starting at once agree on one key.
        fd, draft = tempfile.mkstemp(dir=app.instance_path, prefix=".secret_key.")
        try:
            with os.fdopen(fd, "w") as file:
                file.write(secrets.token_urlsafe(48))
            os.chmod(draft, 0o600)
            os.link(draft, path)
            log.warning("no SECRET_KEY set: generated one and kept it in %s", path,
                        extra={"secret_key_file": str(path)})
        except FileExistsError:
            pass
        finally:
            os.unlink(draft)
    app.config["SECRET_KEY"] = path.read_text().strip()


def normalise_database_url(url: str) -> str:
    """Point plain postgres URLs at the psycopg 3 driver that the shop ships with."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
