"""shop: a small-business web shop with a JSON API."""

from inspect import CO_COROUTINE
from types import FunctionType

from flask import Flask

from shop.config import ensure_secret_key, load_config
from shop.extensions import csrf, db, limiter, login_manager, migrate
from shop.json_provider import OrjsonProvider


class ShopFlask(Flask):
    def ensure_sync(self, func):
        """Flask asks `inspect.iscoroutinefunction` of every hook, context processor and view
        on every request, some twenty times a page; a plain function whose code is not a
        coroutine's (and that is not marked as one) is answered here at once."""
        if (type(func) is FunctionType and not func.__code__.co_flags & CO_COROUTINE
                and not hasattr(func, "_is_coroutine_marker")):
            return func
        return super().ensure_sync(func)


def create_app(config: dict | None = None, instance_path: str | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints, error handling, CLI."""
    app = ShopFlask(__name__, instance_relative_config=True, instance_path=instance_path,
                template_folder="../templates", static_folder="../static")
    app.json = OrjsonProvider(app)
    load_config(app, config)

    from shop.logs import configure_logging

    configure_logging(app)
    ensure_secret_key(app)

    _import_models()
    db.init_app(app)
    from shop.database import check_idle_connections, include_in_autogenerate

    with app.app_context():
        check_idle_connections(db.engine, app.config["SHOP_DB_PING_AFTER_IDLE"])

    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"),
                     include_object=include_in_autogenerate)
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)

    from shop import cache

    cache.configure(app)

    from shop.accounts.auth import init_auth
    from shop.mail.delivery import init_mail
    from shop.payments.gateway import build_gateway
    from shop.security import init_security

    init_auth(app)
    init_mail(app)
    init_security(app)
    app.extensions["shop.payment_gateway"] = build_gateway(app.config)

    _register_blueprints(app)
    from shop.storefront import init_storefront

    init_storefront(app)

    from shop.errors import register_error_handlers
    from shop.templating import init_templating

    register_error_handlers(app)
    init_templating(app)

    from shop.rate_limits import apply_rate_limits

    apply_rate_limits(app)

    from shop.cli import shop_cli

    app.cli.add_command(shop_cli)
    return app


def _import_models() -> None:
    """Import every model so that the metadata (and Alembic) sees the whole schema."""
    from shop.accounts import models as _accounts  # noqa: F401
    from shop.catalog import models as _catalog  # noqa: F401
    from shop.leads import models as _leads  # noqa: F401
    from shop.mail import models as _mail  # noqa: F401
    from shop.orders import models as _orders  # noqa: F401
    from shop.payments import models as _payments  # noqa: F401
    from shop.shipping import models as _shipping  # noqa: F401


def _register_blueprints(app: Flask) -> None:
    from shop.accounts.password_views import bp as password_pages
    from shop.accounts.views import bp as accounts_pages
    from shop.cart.views import bp as cart_pages
    from shop.catalog.api import bp as catalog_api
    from shop.catalog.views import bp as catalog_pages
    from shop.catalog.views import staff_bp as catalog_staff_pages
    from shop.health import bp as health
    from shop.http import ids_within_the_database, refuse_control_characters
    from shop.leads.api import bp as leads_api
    from shop.leads.views import bp as leads_pages
    from shop.openapi import bp as openapi
    from shop.orders.api import bp as orders_api
    from shop.orders.views import bp as orders_pages
    from shop.payments.api import bp as payments_api
    from shop.payments.webhooks import bp as payments_webhooks
    from shop.shipping.api import bp as shipping_api
    from shop.shipping.views import bp as shipping_pages

    app.url_value_preprocessor(ids_within_the_database)
    app.before_request(refuse_control_characters)
    for blueprint in (openapi, catalog_api, orders_api, payments_api, payments_webhooks, leads_api,
                      health, accounts_pages, catalog_pages, catalog_staff_pages, cart_pages,
                      orders_pages, leads_pages, shipping_api, shipping_pages, password_pages):
        app.register_blueprint(blueprint)
