"""What every template may use: money formatting, the payment mode, the CSRF token, and
cache-busted URLs of static files."""

import hashlib
import os
from functools import lru_cache

from flask import Flask, request, url_for

from shop.payments.gateway import get_gateway


def format_money(cents: int, currency: str = "usd") -> str:
    """Integer cents as a price a person reads, e.g. 1999 → $19.99."""
    symbol = {"usd": "$", "eur": "€", "gbp": "£"}.get(currency.lower())
    amount = f"{cents // 100:,}.{cents % 100:02d}"
    return f"{symbol}{amount}" if symbol else f"{amount} {currency.upper()}"


# A static URL with its content's digest (?v=…) never changes meaning: browsers and proxies may
# keep the file a year without asking again. Plain static URLs keep SEND_FILE_MAX_AGE_DEFAULT.
VERSIONED_MAX_AGE = 365 * 24 * 3600


@lru_cache(maxsize=256)
def _file_version(path: str, mtime_ns: int) -> str:
    with open(path, "rb") as file:
        return hashlib.sha256(file.read()).hexdigest()[:10]


def init_templating(app: Flask) -> None:
    app.jinja_env.filters["money"] = lambda cents: format_money(cents,
                                                                app.config["SHOP_CURRENCY"])

    @app.template_global()
    def asset_url(filename: str) -> str:
        """A static file's URL with a digest of its content, so a new version is fetched at
        once although browsers may cache static files (SEND_FILE_MAX_AGE_DEFAULT)."""
        path = os.path.join(app.static_folder or "", filename)
        try:
            version = _file_version(path, os.stat(path).st_mtime_ns)
        except OSError:
            return url_for("static", filename=filename)
        return url_for("static", filename=filename, v=version)

    @app.after_request
    def cache_versioned_static_files(response):
        if request.endpoint == "static" and "v" in request.args and response.status_code == 200:
            response.cache_control.public = True
            response.cache_control.max_age = VERSIONED_MAX_AGE
            response.cache_control.immutable = True
        return response

    @app.context_processor
    def shop_context():
        return {"test_mode": get_gateway().test_mode}
