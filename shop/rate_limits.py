"""Rate limits on the routes an attacker would hammer, kept apart from the views they wrap."""

from flask import current_app, request
from flask_limiter.util import get_remote_address
from flask_login import current_user

from shop.accounts.services import normalise_email
from shop.extensions import limiter


def _by_address() -> str:
    return "address:" + get_remote_address()


def _by_login_email() -> str:
    return "account:" + normalise_email(request.form.get("email", ""))


def _by_user() -> str:
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return _by_address()


# The routes an attacker would hammer: (endpoint, setting holding the limit, whose budget).
# The limits are settings, so a deployment can tune them. Every attempt counts, not only
# failed ones: counting after the answer would let parallel requests slip past together.
RATE_LIMITS = (
    ("accounts.login", "SHOP_LOGIN_LIMIT_PER_ADDRESS", _by_address),
    ("accounts.login", "SHOP_LOGIN_LIMIT_PER_ACCOUNT", _by_login_email),
    ("accounts.register", "SHOP_REGISTER_LIMIT", _by_address),
    ("accounts.account", "SHOP_TOKEN_LIMIT", _by_user),
    ("orders_api.new_order", "SHOP_ORDER_LIMIT", _by_user),
    # Each request for a reset link sends a mail: limited per address and per account mailed.
    ("passwords.forgot", "SHOP_PASSWORD_RESET_LIMIT_PER_ADDRESS", _by_address),
    ("passwords.forgot", "SHOP_PASSWORD_RESET_LIMIT_PER_ACCOUNT", _by_login_email),
    ("passwords.reset", "SHOP_LOGIN_LIMIT_PER_ADDRESS", _by_address),
    ("passwords.change", "SHOP_LOGIN_LIMIT_PER_ADDRESS", _by_user),
)


def _setting(name: str):
    def limit_value() -> str:
        return current_app.config[name]

    return limit_value


# Made once: the limiter keeps route limits per process, and an equal limit is kept only once
# however many apps (tests build many) wrap their views in it.
_ROUTE_LIMITS = [
    (endpoint, limiter.limit(_setting(setting), key_func=key_func, methods=["POST"],
                             scope=f"{endpoint}:{setting}"))
    for endpoint, setting, key_func in RATE_LIMITS
]


def apply_rate_limits(app) -> None:
    """Wrap each limited view in its POST limits; the views themselves stay unaware."""
    for endpoint, rule in _ROUTE_LIMITS:
        app.view_functions[endpoint] = rule(app.view_functions[endpoint])
    # Each limit above is checked by its view's wrapper when that view runs, and none applies
    # app-wide (no default or application limits), so the limiter's own check before every
    # request would only look for limits that are not there, on every page and API call.
    manager = limiter.limit_manager
    hooks = app.before_request_funcs.get(None, [])
    if limiter._check_request_limit in hooks and not (manager.default_limits
                                                      or manager.application_limits):
        hooks.remove(limiter._check_request_limit)
