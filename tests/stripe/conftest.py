"""Fixtures for the Stripe tests: a real localstripe, the real stripe library, signed events.

localstripe runs once per session as a subprocess on a free port (`--from-scratch`, so it
never loads a state file; it still writes /tmp/localstripe.pickle, a path it hard-codes) and
is emptied before each test. Nothing on the way to it is mocked.
"""

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace

import pytest
import stripe
from sqlalchemy import select

from shop.extensions import db
from shop.orders.models import Order
from tests.conftest import need, test_config

SECRET_KEY = "sk_test_shop_localstripe"
WEBHOOK_SECRET = "whsec_shop_test_secret"
WEBHOOK_PATH = "/payments/stripe/webhook"
# Where localstripe's webhook points between tests: nothing listens there.
NOWHERE = "http://127.0.0.1:9/nowhere"
LOCALSTRIPE = Path(sys.executable).with_name("localstripe")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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


@pytest.fixture(scope="session")
def localstripe_server(tmp_path_factory):
    """localstripe on a free port for the whole session, in a private working directory."""
    need(LOCALSTRIPE.exists(), f"the Stripe tests need localstripe at {LOCALSTRIPE}")
    home = tmp_path_factory.mktemp("localstripe")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with open(home / "localstripe.log", "wb") as log:
        process = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("run_localstripe.py")),
             "--port", str(port), "--from-scratch"],
            cwd=home, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env={**os.environ, "HOME": str(home), "TMPDIR": str(home)},
        )
        try:
            deadline = time.monotonic() + 30
            ready = False
            while not ready and process.poll() is None and time.monotonic() < deadline:
                try:
                    ready = http("GET", url + "/js.stripe.com/v3/", timeout=1) == 200
                except (OSError, urllib.error.URLError):
                    time.sleep(0.1)
            if not ready:
                output = (home / "localstripe.log").read_text(errors="replace")[-2000:]
                need(False, f"localstripe did not start on port {port}: {output}")
            yield SimpleNamespace(url=url, port=port)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


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


@pytest.fixture
def localstripe(localstripe_server) -> Localstripe:
    """The session's localstripe, emptied, its webhook pointing nowhere."""
    server = Localstripe(localstripe_server.url)
    server.reset()
    return server


def stripe_config(tmp_path, api_base: str, **overrides) -> dict:
    """The test configuration with Stripe's keys, talking to `api_base`."""
    settings = {
        "STRIPE_SECRET_KEY": SECRET_KEY,
        "STRIPE_API_BASE": api_base,
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        **overrides,
    }
    return test_config(tmp_path, **settings)


@pytest.fixture
def app_config(request, tmp_path, localstripe):
    """The app paying through localstripe; parametrize indirectly with a dict to override."""
    return stripe_config(tmp_path, localstripe.url, **getattr(request, "param", {}))


@pytest.fixture
def webhooks_to_app(live_server, localstripe):
    """Have localstripe deliver its signed events to the app, served over HTTP."""
    localstripe.send_webhooks_to(live_server.url + WEBHOOK_PATH)
    return live_server


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


@pytest.fixture
def post_event(client):
    """POST a signed event to the webhook, as Stripe does: no cookie, no CSRF token."""

    def post(event_type: str, obj: dict, *, event_id: str | None = None,
             secret: str = WEBHOOK_SECRET):
        payload = event_payload(event_type, obj, event_id)
        return client.post(WEBHOOK_PATH, data=payload, content_type="application/json",
                           headers={"Stripe-Signature": sign(payload, secret)})

    return post


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


@pytest.fixture
def order_row(app):
    """The order as stored: order_row(order_id) -> Order (detached, freshly read)."""

    def read(order_id: int) -> Order:
        with app.app_context():
            order = db.session.scalar(select(Order).where(Order.id == order_id))
            db.session.expunge_all()
            return order

    return read


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


@pytest.fixture
def recording_proxy(localstripe):
    """An HTTP proxy in front of localstripe; `.seen` lists the requests that went through."""
    seen: list = []
    handler = type("Handler", (RecordingProxy,), {"upstream": localstripe.url, "seen": seen})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield SimpleNamespace(url=f"http://127.0.0.1:{server.server_port}", seen=seen)
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
