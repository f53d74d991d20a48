"""Money in a currency's minor unit: how many decimals it has, how it reads, what Stripe takes.

Amounts are integers in the currency's minor unit (ISO 4217): cents for USD, whole yen for
JPY (no decimals), fils for KWD (three). The API's `…InCents` names stay for compatibility.
Every page, mail, script-facing formatter and validator asks this module, never its own table.
"""

from decimal import Decimal, InvalidOperation

try:  # Babel carries the whole ISO 4217 table (CLDR's currency data).
    from babel.numbers import get_currency_precision as _babel_precision
except ImportError:  # pragma: no cover - Babel is a dependency; the table below is the fallback
    _babel_precision = None

# ISO 4217 minor units that differ from 2, for when Babel is not installed.
_MINOR_UNITS_FALLBACK = {
    "bif": 0, "clp": 0, "djf": 0, "gnf": 0, "isk": 0, "jpy": 0, "kmf": 0, "krw": 0, "pyg": 0,
    "rwf": 0, "ugx": 0, "uyi": 0, "vnd": 0, "vuv": 0, "xaf": 0, "xof": 0, "xpf": 0,
    "bhd": 3, "iqd": 3, "jod": 3, "kwd": 3, "lyd": 3, "omr": 3, "tnd": 3,
}

# Where CLDR (Babel) and ISO 4217 disagree, ISO 4217 wins: it is what Stripe and banks use.
_ISO_OVERRIDES = {"isk": 0, "ugx": 0, "huf": 2, "twd": 2}

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

_SYMBOLS = {"usd": "$", "eur": "€", "gbp": "£", "jpy": "¥"}


def minor_units(currency: str) -> int:
    """How many decimals the currency has (2 for USD, 0 for JPY, 3 for KWD)."""
    code = currency.lower()
    if code in _ISO_OVERRIDES:
        return _ISO_OVERRIDES[code]
    if _babel_precision is not None:
        return int(_babel_precision(code.upper()))
    return _MINOR_UNITS_FALLBACK.get(code, 2)


def to_major(amount: int, currency: str) -> Decimal:
    """An amount in the minor unit as a decimal of the major unit: 1999 USD -> 19.99."""
    return Decimal(amount).scaleb(-minor_units(currency))


def format_money(amount: int, currency: str = "usd") -> str:
    """An amount in the minor unit as a person reads it: $19.99, ¥1,999, 1.999 KWD."""
    digits = minor_units(currency)
    major = to_major(abs(amount), currency)
    text = f"{major:,.{digits}f}"
    sign = "-" if amount < 0 else ""
    symbol = _SYMBOLS.get(currency.lower())
    return f"{sign}{symbol}{text}" if symbol else f"{sign}{text} {currency.upper()}"


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
