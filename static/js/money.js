/* Money as a person reads it, the same way the server writes it (Babel, SHOP_LOCALE and
 * SHOP_CURRENCY): the page hands its locale and currency on <body data-locale data-currency>,
 * so the browser's own language never changes how an amount reads. */

const formatters = new Map();

function formatter(currency) {
  const { locale } = document.body.dataset;
  const key = `${locale}|${currency}`;
  if (!formatters.has(key)) {
    formatters.set(key, new Intl.NumberFormat(locale || "en-US", { style: "currency", currency }));
  }
  return formatters.get(key);
}

/** Digits after the point in `currency` (2 for USD, 0 for JPY), as CLDR has it. */
export function minorDigits(currency = document.body.dataset.currency) {
  return formatter(currency.toUpperCase()).resolvedOptions().maximumFractionDigits;
}

/** An integer amount in the currency's smallest unit (cents) as text, e.g. 150000 → $1,500.00.
 * `currency` defaults to the shop's. */
export function formatMoney(minorUnits, currency = document.body.dataset.currency) {
  const code = currency.toUpperCase();
  return formatter(code).format(minorUnits / 10 ** minorDigits(code));
}
