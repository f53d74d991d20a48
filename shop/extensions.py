"""Flask extensions, created unbound and bound to the app in create_app()."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from shop.database import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def _by_address() -> str:
    return "address:" + get_remote_address()


def _by_login_email() -> str:
    from flask import request

    from shop.accounts.services import normalise_email

    return "account:" + normalise_email(request.form.get("email", ""))


def _by_user() -> str:
    from flask_login import current_user

    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return _by_address()


def _failed_login(response) -> bool:
    return response.status_code != 302


# The routes an attacker would hammer: (endpoint, setting with the limit, whose budget, when a
# request counts). The limits themselves are settings, so a deployment can tune them.
RATE_LIMITS = (
    ("accounts.login", "SHOP_LOGIN_LIMIT_PER_ADDRESS", _by_address, None),
    ("accounts.login", "SHOP_LOGIN_LIMIT_PER_ACCOUNT", _by_login_email, _failed_login),
    ("accounts.register", "SHOP_REGISTER_LIMIT", _by_address, None),
    ("accounts.account", "SHOP_TOKEN_LIMIT", _by_user, None),
    ("orders_api.new_order", "SHOP_ORDER_LIMIT", _by_user, None),
)


def apply_rate_limits(app) -> None:
    """Wrap each limited view in its POST limits; the views themselves stay unaware."""
    from flask import current_app

    for endpoint, setting, key_func, deduct_when in RATE_LIMITS:
        def limit_value(setting=setting) -> str:
            return current_app.config[setting]

        rule = limiter.limit(limit_value, key_func=key_func, methods=["POST"],
                             scope=f"{endpoint}:{setting}", deduct_when=deduct_when)
        app.view_functions[endpoint] = rule(app.view_functions[endpoint])
