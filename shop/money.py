"""Money in a currency's minor unit: how many decimals it has, how it reads, what Stripe takes.

Amounts are integers in the currency's minor unit (ISO 4217): cents for USD, whole yen for
JPY (no decimals), fils for KWD (three). The API's `…InCents` names stay for compatibility.
Every page, mail, script-facing formatter and validator asks this module, never its own table;
the table is Babel's (CLDR's currency data, which follows ISO 4217's minor units).
"""

from decimal import Decimal, InvalidOperation

from babel.numbers import format_currency, get_currency_precision

# Stripe's minimum charge per currency, in the minor unit (Stripe's "Minimum and maximum
# charge amounts"); currencies not listed take 50 of their minor unit.
STRIPE_MINIMUM = {
    "usd": 50, "aed": 200, "aud": 50, "bgn": 100, "brl": 50, "cad": 50, "chf": 50, "czk": 1500,
    "dkk": 250, "eur": 50, "gbp": 30, "hkd": 400, "huf": 17500, "inr": 50, "jpy": 50,
    "mxn": 1000, "myr": 200, "nok": 300, "nzd": 50, "pln": 200, "ron": 200, "sek": 300,
    "sgd": 50, "thb": 1000,
}
STRIPE_DEFAULT_MINIMUM = 50
# Stripe takes at most eight digits of the minor unit ($999,999.99; ¥99,999,999).
STRIPE_MAXIMUM = 99_999_999

def minor_units(currency: str) -> int:
    """How many decimals the currency has (2 for USD, 0 for JPY, 3 for KWD), from Babel's
    copy of CLDR's currency data, the same the pages' formatter uses."""
    return int(get_currency_precision(currency.upper()))


def to_major(amount: int, currency: str) -> Decimal:
    """An amount in the minor unit as a decimal of the major unit: 1999 USD -> 19.99."""
    return Decimal(amount).scaleb(-minor_units(currency))


def format_money(amount: int, currency: str = "usd", locale: str = "en_US") -> str:
    """An amount in the currency's minor unit as a person reads it in `locale`, e.g.
    1999 usd en_US → $19.99, 1999 eur de_DE → 19,99 €, 1999 jpy en_US → ¥1,999 (no decimals),
    1999 kwd → KWD 1.999 (three)."""
    code = currency.upper()
    return format_currency(to_major(amount, currency), code, locale=locale)


def charge_limits(currency: str) -> tuple[int, int]:
    """The smallest and the largest amount Stripe charges in this currency, in its minor unit."""
    return STRIPE_MINIMUM.get(currency.lower(), STRIPE_DEFAULT_MINIMUM), STRIPE_MAXIMUM


def parse_major(text: str, currency: str) -> int | None:
    """An amount a person typed in the major unit ("12.50") in the minor unit (1250); None if
    it is not a plain number with at most the currency's decimals."""
    cleaned = text.strip().replace(",", "")
    if not cleaned or not all(c.isdigit() or c == "." for c in cleaned) or not cleaned.isascii():
        return None
    try:
        minor = Decimal(cleaned).scaleb(minor_units(currency))
    except InvalidOperation:
        return None
    if minor != minor.to_integral_value():
        return None
    return int(minor)
