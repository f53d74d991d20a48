"""One table of minor units (ISO 4217) for every amount the shop shows or charges."""

import pytest

from shop.money import charge_limits, format_money, minor_units, to_major


@pytest.mark.parametrize("currency, digits", [("usd", 2), ("EUR", 2), ("jpy", 0), ("krw", 0),
                                              ("kwd", 3), ("bhd", 3), ("isk", 0)])
def test_minor_units_follow_iso_4217(currency, digits):
    assert minor_units(currency) == digits


@pytest.mark.parametrize("amount, currency, shown", [
    (1999, "usd", "$19.99"), (1999, "jpy", "¥1,999"), (1999, "kwd", "1.999 KWD"),
    (123456789, "eur", "€1,234,567.89"), (5, "usd", "$0.05"), (-250, "gbp", "-£2.50"),
])
def test_amounts_read_in_the_currencys_own_unit(amount, currency, shown):
    assert format_money(amount, currency) == shown


def test_major_units_are_exact():
    assert str(to_major(1999, "usd")) == "19.99"
    assert str(to_major(1999, "jpy")) == "1999"


def test_stripe_limits_per_currency():
    assert charge_limits("usd") == (50, 99_999_999)
    assert charge_limits("gbp")[0] == 30
    assert charge_limits("jpy")[0] == 50
