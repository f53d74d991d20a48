"""Money on the pages: Babel writes it for SHOP_LOCALE and SHOP_CURRENCY, one filter for all."""

import pytest

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
