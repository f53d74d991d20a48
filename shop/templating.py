"""What every template may use: money formatting, the payment mode, the brand, the CSRF token,
URL templates for scripts, and fingerprinted URLs of static files."""

import hashlib
import os
import re
from functools import lru_cache
from types import SimpleNamespace
from typing import Any

from babel import Locale
from flask import Flask, Response, request, url_for
from markupsafe import Markup, escape

from shop.memo import Memo
from shop.money import format_money  # the pages' one money filter; kept importable here
from shop.payments.gateway import get_gateway
from shop.shipping.countries import COUNTRIES
from shop.storefront import PAGES, brand

# A fingerprinted URL names one version of a file for ever: browsers may keep it a year.
IMMUTABLE = "public, max-age=31536000, immutable"
_PLACEHOLDER = 2_000_000_001  # an id no route refuses to build, swapped for "{name}"
# URLs kept per app (see fixed_url, asset_url): a few dozen in use; past this many (script
# roots that vary, say) the memory is emptied and starts again.
_MOST_KEPT_URLS = 1024


def script_locale(locale: str) -> str:
    """The BCP 47 tag (en-US) that Intl.NumberFormat takes for a Babel locale (en_US)."""
    return str(Locale.parse(locale)).replace("_", "-")


@lru_cache(maxsize=256)
def _digest(paths_and_times: tuple[tuple[str, int], ...]) -> str:
    digest = hashlib.sha256()
    for path, _mtime in paths_and_times:
        digest.update(path.encode())
        with open(path, "rb") as file:
            digest.update(file.read())
    return digest.hexdigest()[:12]


def _fingerprint(static_folder: str, filename: str) -> str | None:
    """A digest of what a file's URL stands for: the file, or for a script module the whole
    scripts folder, since modules import each other by relative URLs under the same version."""
    top = filename.split("/", 1)[0]
    if top == "js":
        root = os.path.join(static_folder, "js")
        files = sorted(os.path.join(folder, name) for folder, _, names in os.walk(root)
                       for name in names)
    else:
        files = [os.path.join(static_folder, filename)]
    try:
        return _digest(tuple((path, os.stat(path).st_mtime_ns) for path in files))
    except OSError:
        return None


@lru_cache(maxsize=256)
def _label_head(attribute: str, pattern: str) -> Markup:
    """`<attribute>="<pattern>" aria-label="`, escaped: the same few on every page."""
    return Markup(f'{escape(attribute)}="{escape(pattern)}" aria-label="')


def init_templating(app: Flask) -> None:
    locale = app.config.get("SHOP_LOCALE") or "en_US"
    Locale.parse(locale)  # an unknown SHOP_LOCALE stops the start, not every page
    currency = app.config["SHOP_CURRENCY"]
    # Babel takes tens of microseconds an amount, and pages show the same prices again and again.
    app.jinja_env.filters["money"] = lru_cache(maxsize=4096)(
        lambda cents: format_money(cents, currency, locale))

    static_folder = app.static_folder or ""
    kept_urls = Memo(_MOST_KEPT_URLS)
    keep = kept_urls.keep

    @app.template_global()
    def fixed_url(endpoint: str, **values: Any) -> str:
        """url_for for a URL that is the same on every request (the nav's, the footer's): an
        absolute endpoint and values that do not come from the request. Built once per app
        and script root: url_for costs microseconds a call, and every page shows these."""
        key = ("url", request.script_root, endpoint, *sorted(values.items()))
        url = kept_urls.get(key)
        return url if url is not None else keep(key, url_for(endpoint, **values))

    @app.template_global()
    def fixed_urls(**endpoints: str) -> SimpleNamespace:
        """fixed_url for several endpoints in one call, by the names given: fixed_urls(
        cart="cart.show").cart. What every page's nav needs, found with one lookup."""
        key = ("urls", request.script_root, *sorted(endpoints.items()))
        urls = kept_urls.get(key)
        if urls is not None:
            return urls
        return keep(key, SimpleNamespace(**{name: url_for(endpoint)
                                            for name, endpoint in endpoints.items()}))

    @app.template_global()
    def url_prefix(endpoint: str, param: str) -> str:
        """A route's URL up to the id that ends it, for lists that link every row:
        url_prefix("orders.detail", "order_id") ~ order.id is the URL that
        url_for("orders.detail", order_id=order.id) builds, without building it per row."""
        key = ("prefix", request.script_root, endpoint, param)
        url = kept_urls.get(key)
        if url is not None:
            return url
        values: dict[str, Any] = {param: _PLACEHOLDER}
        head, placeholder, tail = url_for(endpoint, **values).rpartition(str(_PLACEHOLDER))
        if not placeholder or tail:
            raise ValueError(f"the URL of {endpoint} does not end with its {param}")
        return keep(key, head)

    @app.template_global()
    def asset_url(filename: str) -> str:
        """A static file's URL with a fingerprint of its content in the path
        (/static/v/<fingerprint>/css/shop.css): a new version has a new URL, so browsers may
        keep each one for a year. Relative imports between script modules stay versioned.

        In debug mode each call looks at the files again, so an edited file gets its new URL
        at once; otherwise a process keeps the URL it found first (a deploy starts new
        processes), as stat-ing the files costs more than the rest of a page's head."""
        key = ("asset", request.script_root, filename)
        if not app.debug:
            url = kept_urls.get(key)
            if url is not None:
                return url
        version = _fingerprint(static_folder, filename)
        if version is None:
            return url_for("static", filename=filename)
        return keep(key, url_for("fingerprinted_static", version=version, filename=filename))

    def fingerprinted_static(version: str, filename: str) -> Response:
        response = app.send_static_file(filename)
        if version == _fingerprint(static_folder, filename):
            response.headers["Cache-Control"] = IMMUTABLE
            response.expires = None
        return response

    app.add_url_rule(f"{app.static_url_path}/v/<version>/<path:filename>",
                     endpoint="fingerprinted_static", view_func=fingerprinted_static)

    @app.template_global()
    def url_template(endpoint: str, **params: str) -> str:
        """A route's URL with `{name}` where a script fills in each given parameter, e.g.
        url_template("leads_api.get_lead", lead_id="id") → /leads/{id}."""
        kept_as = ("template", request.script_root, endpoint, *params.items())
        kept = kept_urls.get(kept_as)
        if kept is not None:
            return kept
        values: dict[str, Any] = {key: _PLACEHOLDER + n for n, key in enumerate(params)}
        url = url_for(endpoint, **values)
        for n, name in enumerate(params.values()):
            url = re.sub(rf"\b{_PLACEHOLDER + n}\b", "{" + name + "}", url)
        return keep(kept_as, url)

    @app.template_filter()
    def aria_label(pattern: str, attribute: str, name: str) -> Markup:
        """`<attribute>="<pattern>" aria-label="<the pattern with {name} filled in>"`: an
        element's label now, and the pattern a script labels its copies from. Both escaped.
        A filter, as Jinja calls filters directly (a global goes through Context.call)."""
        label = escape(pattern.replace("{name}", str(name)))
        return Markup(f'{_label_head(attribute, pattern)}{label}"')

    @app.template_test()
    def startingwith(value: str, prefix: str) -> bool:
        """Whether a text starts with a prefix: messages | selectattr('0', 'startingwith', …)."""
        return isinstance(value, str) and value.startswith(prefix)

    @app.template_global()
    def country_name(code: str) -> str:
        """A country's English name from its ISO code (the code itself if unknown)."""
        return COUNTRIES.get(code, code)

    money_locale, money_currency = script_locale(locale), currency.upper()

    @app.context_processor
    def shop_context():
        return {"test_mode": get_gateway().test_mode, "brand": brand(), "footer_pages": PAGES,
                "money_locale": money_locale, "money_currency": money_currency}
