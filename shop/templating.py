"""What every template may use: money formatting, the payment mode, the CSRF token."""

from flask import Flask

from shop.payments.gateway import get_gateway


def format_money(cents: int, currency: str = "usd") -> str:
    """Integer cents as a price a person reads, e.g. 1999 → $19.99."""
    symbol = {"usd": "$", "eur": "€", "gbp": "£"}.get(currency.lower())
    amount = f"{cents // 100:,}.{cents % 100:02d}"
    return f"{symbol}{amount}" if symbol else f"{amount} {currency.upper()}"


def init_templating(app: Flask) -> None:
    app.jinja_env.filters["money"] = lambda cents: format_money(cents,
                                                                app.config["SHOP_CURRENCY"])

    @app.context_processor
    def shop_context():
        return {"test_mode": get_gateway().test_mode}
