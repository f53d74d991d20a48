"""What the Stripe tests import: localstripe as a test sees it, signed events, waiting."""


import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from types import SimpleNamespace

import pytest
import stripe

from tests.helpers import free_port, test_config  # noqa: F401  (free_port: re-used by name)

SECRET_KEY = "sk_test_shop_localstripe"
WEBHOOK_SECRET = "whsec_shop_test_secret"
WEBHOOK_PATH = "/payments/stripe/webhook"
# Where localstripe's webhook points between tests: nothing listens there.
NOWHERE = "http://127.0.0.1:9/nowhere"
LOCALSTRIPE = Path(sys.executable).with_name("localstripe")


def http(method: str, url: str, data: dict | None = None, timeout: float = 5) -> int:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, method=method)
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.status


def wait_for(condition, *, timeout: float = 20, interval: float = 0.1, what: str = "it"):
    """Poll `condition` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(interval)


class Localstripe:
    """localstripe as a test sees it: the stripe library's client, and Stripe.js's moves."""

    def __init__(self, url: str):
        self.url = url
        self.client = stripe.StripeClient(SECRET_KEY, base_addresses={"api": url},
                                          max_network_retries=0)

    def reset(self) -> None:
        http("DELETE", self.url + "/_config/data")
        self.send_webhooks_to(NOWHERE)

    def send_webhooks_to(self, url: str, secret: str = WEBHOOK_SECRET) -> None:
        http("POST", self.url + "/_config/webhooks/shop", {"url": url, "secret": secret})

    def intent(self, intent_id: str):
        return self.client.v1.payment_intents.retrieve(intent_id)

    def pay(self, intent_id: str, card: str = "4242424242424242"):
        """Attach a card and confirm, as Stripe.js does on the checkout page."""
        method = self.client.v1.payment_methods.create(params={
            "type": "card",
            "card": {"number": card, "exp_month": 12, "exp_year": 2034, "cvc": "123"},
        })
        self.client.v1.payment_intents.update(intent_id, params={"payment_method": method.id})
        return self.client.v1.payment_intents.confirm(intent_id)

    def refunds(self, intent_id: str) -> list:
        return list(self.client.v1.refunds.list(params={"payment_intent": intent_id}).data)


def stripe_config(tmp_path, api_base: str, **overrides) -> dict:
    """The test configuration with Stripe's keys, talking to `api_base`."""
    settings = {
        "STRIPE_SECRET_KEY": SECRET_KEY,
        "STRIPE_API_BASE": api_base,
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        **overrides,
    }
    return test_config(tmp_path, **settings)


def sign(payload: str, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """A Stripe-Signature header made with the stripe library's own scheme."""
    return stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp)


def event_payload(event_type: str, obj: dict, event_id: str | None = None) -> str:
    return json.dumps({
        "id": event_id or f"evt_{time.monotonic_ns()}",
        "object": "event",
        "type": event_type,
        "created": int(time.time()),
        "data": {"object": obj},
    })


def intent_object(order: dict, *, status: str = "succeeded", **changes) -> dict:
    """A PaymentIntent as Stripe puts it in an event, for this order (from the JSON API)."""
    obj = {
        "id": order["clientSecret"].split("_secret_")[0],
        "object": "payment_intent",
        "amount": order["amountInCents"],
        "currency": order["currency"],
        "status": status,
        "client_secret": order["clientSecret"],
        "metadata": {"order_id": str(order["id"])},
        "last_payment_error": None,
    }
    obj.update(changes)
    return obj


class RecordingProxy(BaseHTTPRequestHandler):
    """Forwards to localstripe and keeps every request, to check what the shop sends."""

    upstream = ""
    seen: list

    def _forward(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.seen.append(SimpleNamespace(method=self.command, path=self.path,
                                         headers=dict(self.headers),
                                         params=urllib.parse.parse_qs(body.decode())))
        request = urllib.request.Request(self.upstream + self.path, data=body or None,
                                         method=self.command)
        for name in ("Authorization", "Content-Type", "Idempotency-Key", "Stripe-Version"):
            if name in self.headers:
                request.add_header(name, self.headers[name])
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                status, answer = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, answer = error.code, error.read()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    do_GET = do_POST = do_DELETE = _forward

    def log_message(self, *args):
        pass
