"""A hung Stripe on PostgreSQL: the buyer gets a 502 within the client's timeout, and nobody
else waits on them, because no row lock is held while Stripe is asked."""

import socket
import threading

import pytest
from sqlalchemy import func, select

from shop import create_app
from shop.extensions import db
from shop.orders.models import IdempotencyKey, Order
from shop.payments.gateway import build_gateway
from tests.helpers import TEST_DATABASE_URL, ApiClient, need
from tests.stripe.helpers import stripe_config

# Two apps and two threads on one database: their transactions must really commit.
pytestmark = [pytest.mark.stripe, pytest.mark.postgres, pytest.mark.real_commits]


class HungServer:
    """Accepts connections and never answers, as a Stripe that has stopped responding."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.accepted = threading.Event()
        self.connections: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections.append(conn)
            self.accepted.set()

    def close(self):
        self.sock.close()
        for conn in self.connections:
            conn.close()
        self.thread.join(timeout=5)


@pytest.fixture
def hung():
    server = HungServer()
    yield server
    server.close()


@pytest.fixture(autouse=True)
def on_postgres():
    need(bool(TEST_DATABASE_URL and TEST_DATABASE_URL.startswith("postgresql")),
         "the hung-Stripe test needs PostgreSQL (SHOP_TEST_DATABASE_URL)")


def test_a_hung_stripe_gets_a_502_and_never_holds_the_next_buyer(
        app, api_as, make_product, hung, localstripe, tmp_path):
    # This app's Stripe hangs; a second app on the same database has a working one.
    app.extensions["shop.payment_gateway"] = build_gateway({**app.config,
                                                            "STRIPE_API_BASE": hung.url})
    working = create_app(stripe_config(tmp_path, localstripe.url))
    pid = make_product(price=1500, stock=5)
    first = api_as("first@example.com")
    second = api_as("second@example.com")
    second_elsewhere = ApiClient(working.test_client(), second.token, second.user_id)

    answer = {}

    def buy_first():
        answer["first"] = first.post("/orders/new", json=[str(pid)],
                                     headers={"Idempotency-Key": "first-try"})

    thread = threading.Thread(target=buy_first)
    thread.start()
    try:
        # The first buyer's request is now waiting on Stripe, past taking its stock.
        assert hung.accepted.wait(timeout=30), "the shop never called the hung Stripe"
        response = second_elsewhere.post("/orders/new", json=[str(pid)])
        assert response.status_code == 201, response.get_data(as_text=True)
        # The second buyer was served while the first was still waiting on Stripe.
        assert thread.is_alive()
    finally:
        thread.join(timeout=120)
    assert not thread.is_alive()
    assert answer["first"].status_code == 502, answer["first"].get_data(as_text=True)
    assert answer["first"].json["code"] == "payment-provider-error"

    # Nothing of the first buyer is left: no order, no key, their unit back in stock.
    with app.app_context():
        orders = list(db.session.scalars(select(Order)))
        keys = db.session.scalar(select(func.count()).select_from(IdempotencyKey))
    assert [o.user_id for o in orders] == [second.user_id]
    assert keys == 0
    assert first.client.get(f"/products/{pid}").json["stock"] == 4
    with working.app_context():
        db.session.remove()
        db.engine.dispose()
