"""Fixtures for the Stripe tests: a real localstripe, the real stripe library, signed events.

localstripe runs once per session as a subprocess on a free port (`--from-scratch`, so it
never loads a state file; it still writes /tmp/localstripe.pickle, a path it hard-codes) and
is emptied before each test. Nothing on the way to it is mocked.
"""

import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from shop.extensions import db
from shop.orders.models import Order
from tests.helpers import need
from tests.stripe.helpers import (
    LOCALSTRIPE,
    WEBHOOK_PATH,
    WEBHOOK_SECRET,
    Localstripe,
    RecordingProxy,
    event_payload,
    free_port,
    http,
    sign,
    stripe_config,
)


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


@pytest.fixture
def localstripe(localstripe_server) -> Localstripe:
    """The session's localstripe, emptied, its webhook pointing nowhere."""
    server = Localstripe(localstripe_server.url)
    server.reset()
    return server


@pytest.fixture
def app_config(request, database, tmp_path, localstripe):
    """The app paying through localstripe; parametrize indirectly with a dict to override."""
    return stripe_config(tmp_path, localstripe.url, **getattr(request, "param", {}))


@pytest.fixture
def webhooks_to_app(live_server, localstripe):
    """Have localstripe deliver its signed events to the app, served over HTTP."""
    localstripe.send_webhooks_to(live_server.url + WEBHOOK_PATH)
    return live_server


@pytest.fixture
def post_event(client):
    """POST a signed event to the webhook, as Stripe does: no cookie, no CSRF token."""

    def post(event_type: str, obj: dict, *, event_id: str | None = None,
             secret: str = WEBHOOK_SECRET):
        payload = event_payload(event_type, obj, event_id)
        return client.post(WEBHOOK_PATH, data=payload, content_type="application/json",
                           headers={"Stripe-Signature": sign(payload, secret)})

    return post


@pytest.fixture
def order_row(app):
    """The order as stored: order_row(order_id) -> Order (detached, freshly read)."""

    def read(order_id: int) -> Order:
        with app.app_context():
            order = db.session.scalar(select(Order).where(Order.id == order_id))
            db.session.expunge_all()
            return order

    return read


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
