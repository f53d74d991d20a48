"""The gateway factory: which adapter the configuration asks for, and the current app's one.

Stripe when STRIPE_SECRET_KEY is set, otherwise the offline test gateway. The types and the
protocol live in `interface.py`, which the adapters import, so nothing here is imported back.
"""

from typing import Any

from flask import current_app

from shop.payments.interface import CardTestingGateway, PaymentGateway


def build_gateway(config) -> PaymentGateway:
    """The gateway the configuration asks for."""
    if config.get("STRIPE_SECRET_KEY"):
        from shop.payments.stripe_gateway import StripeGateway

        options: dict[str, Any] = {}
        if config.get("STRIPE_TIMEOUT"):
            options["timeout"] = float(config["STRIPE_TIMEOUT"])
        if config.get("STRIPE_MAX_NETWORK_RETRIES") is not None:
            options["max_network_retries"] = int(config["STRIPE_MAX_NETWORK_RETRIES"])
        stripe: PaymentGateway = StripeGateway(
            secret_key=config["STRIPE_SECRET_KEY"],
            api_base=config.get("STRIPE_API_BASE"),
            statement_descriptor_suffix=config.get("SHOP_STATEMENT_DESCRIPTOR_SUFFIX"),
            **options,
        )
        return stripe
    from shop.payments.offline import OfflineGateway

    # Typed as the protocol it must keep, so a type checker sees a missing `confirm`.
    offline: CardTestingGateway = OfflineGateway()
    return offline


def get_gateway() -> PaymentGateway:
    """The current app's payment gateway."""
    return current_app.extensions["shop.payment_gateway"]


def page_settings() -> dict:
    """What a page's payment form needs: the mode and, for Stripe, the public pieces."""
    config = current_app.config
    return {
        "test_mode": get_gateway().test_mode,
        "publishable_key": config.get("STRIPE_PUBLISHABLE_KEY") or "",
        "stripe_js_url": config["STRIPE_JS_URL"],
    }
