"""Configuration read from the environment, with embedded defaults for a laptop."""

import os
from pathlib import Path

ENV_KEYS = (
    "SECRET_KEY",
    "DATABASE_URL",
    "STRIPE_SECRET_KEY",
    "STRIPE_PUBLISHABLE_KEY",
    "STRIPE_WEBHOOK_SECRET",
    "STRIPE_API_BASE",
    "SHOP_CURRENCY",
    "SHOP_LOCALE",
    "RATELIMIT_STORAGE_URI",
    "CACHE_REDIS_URL",
    "CACHE_TYPE",
)


def load_config(app, overrides: dict | None = None) -> None:
    """Fill app.config: defaults, then instance/config.py, then the environment, then overrides."""
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    app.config.update(
        SECRET_KEY="dev-only-secret-change-me",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{instance / 'shop.sqlite'}",
        SHOP_CURRENCY="usd",
        # How money reads on the pages and in their scripts (a Babel/CLDR locale).
        SHOP_LOCALE="en_US",
        STRIPE_SECRET_KEY=None,
        STRIPE_PUBLISHABLE_KEY=None,
        STRIPE_WEBHOOK_SECRET=None,
        STRIPE_API_BASE=None,
        RATELIMIT_STORAGE_URI="memory://",
        RATELIMIT_HEADERS_ENABLED=True,
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
    )
    app.config.from_pyfile("config.py", silent=True)
    for key in ENV_KEYS:
        if os.environ.get(key):
            app.config[key] = os.environ[key]
    if app.config.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(app.config["DATABASE_URL"])
    app.config.update(overrides or {})
    app.config["SHOP_CURRENCY"] = app.config["SHOP_CURRENCY"].lower()


def normalise_database_url(url: str) -> str:
    """Point plain postgres URLs at the psycopg 3 driver that the shop ships with."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
