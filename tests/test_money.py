"""Money on the pages: Babel writes it for SHOP_LOCALE and SHOP_CURRENCY, one filter for all."""

import pytest

from shop.money import charge_limits, minor_units, parse_major, to_major
from shop.templating import format_money, script_locale


@pytest.mark.parametrize("cents,currency,locale,text", [
    (150000, "usd", "en_US", "$1,500.00"),
    (5, "usd", "en_US", "$0.05"),
    (150000, "eur", "de_DE", "1.500,00\u00a0€"),
    (1500, "jpy", "en_US", "¥1,500"),        # yen have no decimals: 1500 is ¥1,500
    (199, "gbp", "en_GB", "£1.99"),
])
def test_format_money_follows_the_locale_and_the_currencys_decimals(cents, currency, locale,
                                                                    text):
    assert format_money(cents, currency, locale) == text


@pytest.mark.parametrize("app_config", [{"SHOP_LOCALE": "de_DE", "SHOP_CURRENCY": "eur"}],
                         indirect=True)
def test_every_page_writes_prices_for_the_configured_locale_and_hands_it_to_scripts(
        client, make_product):
    make_product(name="Mug", price=140000)
    html = client.get("/").get_data(as_text=True)
    assert "1.400,00\u00a0€" in html
    assert '<body data-locale="de-DE" data-currency="EUR">' in html


def test_an_unknown_locale_stops_the_app_from_starting(app_config):
    from babel.core import UnknownLocaleError

    from shop import create_app

    with pytest.raises((UnknownLocaleError, ValueError)):
        create_app({**app_config, "SHOP_LOCALE": "xx_NOPE"})


def test_script_locale_is_the_bcp47_tag():
    assert script_locale("en_US") == "en-US"
    assert script_locale("de_DE") == "de-DE"


# --- One table of minor units (ISO 4217) for every amount the shop shows or charges ---


@pytest.mark.parametrize("currency, digits", [("usd", 2), ("EUR", 2), ("jpy", 0), ("krw", 0),
                                              ("kwd", 3), ("bhd", 3), ("isk", 0)])
def test_minor_units_follow_iso_4217(currency, digits):
    assert minor_units(currency) == digits


@pytest.mark.parametrize("amount, currency, shown", [
    (1999, "usd", "$19.99"), (1999, "jpy", "¥1,999"), (1999, "kwd", "KWD1.999"),
    (123456789, "eur", "€1,234,567.89"), (-250, "gbp", "-£2.50"),
])
def test_amounts_read_in_the_currencys_own_unit(amount, currency, shown):
    assert format_money(amount, currency) == shown


def test_major_units_are_exact():
    assert str(to_major(1999, "usd")) == "19.99"
    assert str(to_major(1999, "jpy")) == "1999"
    assert str(to_major(1999, "kwd")) == "1.999"


@pytest.mark.parametrize("text, currency, amount", [
    ("12.50", "usd", 1250), ("12", "usd", 1200), ("1,999", "jpy", 1999), ("1.999", "kwd", 1999),
    ("12.555", "usd", None), ("1.5", "jpy", None), ("-3", "usd", None), ("1e3", "usd", None),
    ("", "usd", None), ("１２", "usd", None),
])
def test_typed_amounts_are_read_in_the_minor_unit(text, currency, amount):
    assert parse_major(text, currency) == amount


def test_stripe_limits_per_currency():
    assert charge_limits("usd") == (50, 99_999_999)
    assert charge_limits("gbp")[0] == 30
    assert charge_limits("jpy")[0] == 50
