"""Response headers that keep pages safe in a browser, and the proxy the shop may sit behind.

Written by hand rather than with flask-talisman: its last release is from 2023, and the shop
needs only a fixed policy plus a per-request choice of HSTS and Cache-Control.
"""

from urllib.parse import urlsplit

from flask import Flask, g, request, session
from werkzeug.middleware.proxy_fix import ProxyFix

from shop.accounts.auth import bearer_token

STRIPE_JS = "https://js.stripe.com"
HSTS = "max-age=31536000; includeSubDomains"


def content_security_policy(stripe_js_url: str) -> str:
    """Only the shop itself, plus what Stripe Elements needs (per Stripe's CSP guidance)."""
    script = urlsplit(stripe_js_url)
    stripe_script = f"{script.scheme}://{script.netloc}" if script.netloc else STRIPE_JS
    directives = {
        "default-src": "'self'",
        "script-src": f"'self' {stripe_script}",
        "style-src": "'self'",
        "img-src": "'self' data:",
        "font-src": "'self'",
        "connect-src": "'self' https://api.stripe.com",
        "frame-src": f"{STRIPE_JS} https://hooks.stripe.com",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def carries_user_data() -> bool:
    """A logged-in caller (cookie or token): the answer is theirs alone, never to be cached."""
    user = g.get("_login_user")
    if user is not None and user.is_authenticated:
        return True
    return bearer_token() is not None or "_user_id" in session


def init_security(app: Flask) -> None:
    hops = app.config["SHOP_PROXY_HOPS"]
    if hops > 0:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # Flask's documented way
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops,
                                x_port=hops)
    policy = content_security_policy(app.config["STRIPE_JS_URL"])
    every_answer = (("Content-Security-Policy", policy), ("X-Content-Type-Options", "nosniff"),
                    ("Referrer-Policy", "same-origin"), ("X-Frame-Options", "DENY"))

    @app.after_request
    def security_headers(response):
        headers = response.headers
        # A view may set its own; one pass over the names the answer has so far.
        present = {name.lower() for name, _ in headers.items()}
        for name, value in every_answer:
            if name.lower() not in present:
                headers.add(name, value)
        if request.is_secure and "strict-transport-security" not in present:
            headers.add("Strict-Transport-Security", HSTS)
        if request.endpoint != "static" and carries_user_data():
            headers["Cache-Control"] = "no-store"
        return response
