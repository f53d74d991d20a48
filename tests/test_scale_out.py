"""Two gunicorn instances on one PostgreSQL database and one Redis, as behind a load balancer.

Buyers send orders (each sent to both instances at once with the same Idempotency-Key, as a
client retrying after a timeout would), payments with test cards, cancellations and
pay-versus-cancel races to both instances. Afterwards every unit of stock is accounted for (and
the stock ledger agrees), no order is doubled or lost, no answer was a 5xx, every payment took
effect once (and sent one
mail), and both instances show the same catalog.
"""

import json
import random
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from shop import create_app
from shop.accounts import services as accounts
from shop.catalog import services as catalog
from shop.catalog.models import Product
from shop.config import normalise_database_url
from shop.extensions import db
from shop.mail.models import OutboxMessage
from shop.orders.models import IdempotencyKey, Order, OrderItem
from shop.payments.models import OfflinePaymentIntent
from shop.shipping import services as shipping
from tests.helpers import TEST_DATABASE_URL, free_port, need, wait_for_server

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parent.parent
# The instances' tables live in a schema of their own: other tests' rows never mix with them.
SCHEMA = "scale_out"
STARTING_STOCK = 30
PRODUCTS = 3
BUYERS = 12
ROUNDS = 3
GOOD_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000002"



@pytest.fixture
def database_url():
    """The test database with search_path set to a fresh schema, dropped afterwards."""
    need(bool(TEST_DATABASE_URL), "two instances need PostgreSQL: set SHOP_TEST_DATABASE_URL")
    base = normalise_database_url(TEST_DATABASE_URL)
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {SCHEMA}"))
    separator = "&" if "?" in base else "?"
    yield f"{base}{separator}options=-csearch_path%3D{SCHEMA}"
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
    admin.dispose()


def instance_config(database_url: str, redis_url: str) -> dict:
    """What each instance runs with: shared database, Redis for rate limits and the cache."""
    return {
        "SECRET_KEY": "scale-out-test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "STRIPE_SECRET_KEY": None,
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": redis_url,
        "SHOP_ORDER_LIMIT": "1000 per minute",
        "CACHE_TYPE": "RedisCache",
        "CACHE_REDIS_URL": redis_url,
    }


@pytest.fixture
def shop(tmp_path, database_url, redis_url):
    """Schema, products and buyers; returns (app, product ids, tokens)."""
    config = instance_config(database_url, redis_url)
    app = create_app(config)
    with app.app_context():
        db.create_all()
        shipping.install_default_methods()  # as the migration does: Pickup needs no address
        # Through the catalog's service, so that the opening stock is in the ledger.
        product_ids = [catalog.create_product(
            {"name": f"Product {n}", "description": "", "price_in_cents": 1000 + n,
             "sku": f"SCALE-{n}", "active": True}, stock=STARTING_STOCK).id
            for n in range(PRODUCTS)]
        tokens = []
        for n in range(BUYERS):
            user = accounts.create_user(f"buyer{n}@example.com", "buyer password")
            tokens.append(accounts.create_token(user, "scale-out")[1])
        db.session.remove()
    yield app, config, product_ids, tokens
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def two_instances(tmp_path, shop):
    """Two gunicorn instances of the shop (two workers each) on one database; their URLs."""
    _, config, _, _ = shop
    processes, bases, logs = [], [], []
    for name in ("a", "b"):
        port = free_port()
        log = open(tmp_path / f"instance-{name}.log", "w+")  # noqa: SIM115 - closed below
        logs.append(log)
        command = [sys.executable, "-m", "gunicorn", "--workers", "2", "--threads", "4",
                   "--graceful-timeout", "5", "--bind", f"127.0.0.1:{port}",
                   f"shop:create_app(config={config!r})"]
        if (ROOT / "deploy" / "gunicorn.conf.py").exists():
            command[3:3] = ["--config", str(ROOT / "deploy" / "gunicorn.conf.py")]
        processes.append(subprocess.Popen(command, cwd=ROOT, stdout=log,
                                          stderr=subprocess.STDOUT))
        bases.append(f"http://127.0.0.1:{port}")
    try:
        for base, log in zip(bases, logs, strict=True):
            wait_for_server(base + "/products", log)
        yield bases
    finally:
        for process in processes:
            process.terminate()
        for process, log in zip(processes, logs, strict=True):
            process.wait(timeout=60)
            log.close()


class Client:
    """A script's JSON calls with its bearer token; every answer is kept for the checks."""

    def __init__(self, token: str, answers: list, lock: threading.Lock):
        self.token = token
        self.answers = answers
        self.lock = lock

    def call(self, base: str, path: str, body=None, key: str | None = None):
        headers = {"Authorization": f"Bearer {self.token}"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if key is not None:
            headers["Idempotency-Key"] = key
        request = urllib.request.Request(base + path, data=data, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                status, payload = answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as error:
            status, payload = error.code, json.loads(error.read() or b"{}")
            error.close()
        with self.lock:
            self.answers.append((base, path, status, payload))
        return status, payload


def at_once(client: "Client", *calls: tuple):
    """Make the calls (base, path, body, key) in parallel threads; their answers."""
    with ThreadPoolExecutor(len(calls)) as pool:
        futures = [pool.submit(client.call, *call) for call in calls]
        return [f.result() for f in futures]


def buyer(client: Client, number: int, bases: list[str], product_ids: list[int],
          placed: dict, lock: threading.Lock) -> None:
    """A few orders, each then paid, cancelled, raced or left with a declined card."""
    rng = random.Random(number)
    for round_ in range(ROUNDS):
        key = f"buyer{number}-order{round_}"
        cart = [{"id": pid, "quantity": rng.randint(1, 3)}
                for pid in rng.sample(product_ids, rng.randint(1, 2))]
        # The same request, same key, to both instances at once: one order at most.
        answers = at_once(client, *((base, "/orders/new", cart, key) for base in bases))
        created = [payload for status, payload in answers if status == 201]
        with lock:
            placed[key] = [p["id"] for p in created]
        if not created:
            continue
        order = created[0]
        one, other = bases[round_ % 2], bases[(round_ + 1) % 2]
        pay = {"clientSecret": order["clientSecret"], "cardNumber": GOOD_CARD}
        cancel = {"orderId": order["id"], "status": "cancelled"}
        action = (number + round_) % 4
        if action == 0:  # paid twice at once, through both instances
            at_once(client, (one, "/payments/test/confirm", pay),
                    (other, "/payments/test/confirm", pay))
        elif action == 1:
            client.call(other, "/orders/status-update", cancel)
        elif action == 2:  # pay on one instance while cancelling on the other
            at_once(client, (one, "/payments/test/confirm", pay),
                    (other, "/orders/status-update", cancel))
        else:
            client.call(one, "/payments/test/confirm",
                        {"clientSecret": order["clientSecret"], "cardNumber": DECLINED_CARD})
        for base in bases:  # each instance lists the buyer's orders, and may keep the list
            client.call(base, "/orders")


def stock_on(base: str, product_id: int) -> int:
    """The stock GET /products shows on one instance (what every shopper sees, maybe cached)."""
    with urllib.request.urlopen(base + "/products", timeout=30) as answer:
        return {p["id"]: p["stock"] for p in json.loads(answer.read())}[product_id]


def test_two_instances_keep_stock_orders_and_payments_exact(shop, two_instances):
    app, _, product_ids, tokens = shop
    one, other = two_instances
    # Both instances have shown the catalog (and may have cached it) before anything changes.
    assert stock_on(one, product_ids[0]) == stock_on(other, product_ids[0]) == STARTING_STOCK
    answers: list = []
    placed: dict[str, list[int]] = {}
    lock = threading.Lock()
    clients = [Client(token, answers, lock) for token in tokens]

    with ThreadPoolExecutor(BUYERS) as pool:
        for future in [pool.submit(buyer, c, n, two_instances, product_ids, placed, lock)
                       for n, c in enumerate(clients)]:
            future.result()

    statuses = [status for _, _, status, _ in answers]
    assert not [a for a in answers if a[2] >= 500], "a 5xx answer"
    assert {base for base, *_ in answers} == set(two_instances)
    for _, path, status, payload in answers:
        allowed = {"/orders/new": {201, 409}, "/payments/test/confirm": {200, 402, 409},
                   "/orders/status-update": {200, 409}, "/orders": {200}}[path]
        assert status in allowed, (path, status, payload)
    assert statuses.count(201) >= BUYERS, "too few orders went through to test anything"

    with app.app_context():
        # No order doubled: every key that was answered 201 names one order, both times.
        for key, ids in placed.items():
            assert len(set(ids)) <= 1, (key, ids)
        answered = {ids[0] for ids in placed.values() if ids}
        orders = list(db.session.scalars(select(Order)))
        truth = {(o.id, o.status) for o in orders}
        # ... and none lost or made unseen: the orders are exactly those the clients were given.
        assert {o.id for o in orders} == answered
        keys = db.session.scalar(select(func.count()).select_from(IdempotencyKey)
                                 .where(IdempotencyKey.order_id.is_not(None)))
        assert keys == len(orders)

        # Every unit of stock is either on the shelf or in an order that still stands.
        held = dict(db.session.execute(
            select(OrderItem.product_id, func.sum(OrderItem.quantity))
            .join(Order).where(Order.status != "cancelled").group_by(OrderItem.product_id)
        ).all())
        for product in db.session.scalars(select(Product).where(Product.id.in_(product_ids))):
            assert product.stock + held.get(product.id, 0) == STARTING_STOCK, product.id
        # ... and the stock ledger adds up to every product's stock.
        assert catalog.ledger_disagreements() == []

        # Each payment took effect once, and never on an order that was cancelled.
        intents = {i.order_id: i for i in db.session.scalars(select(OfflinePaymentIntent))}
        for order in orders:
            intent = intents[order.id]
            if order.status == "paid":
                assert intent.status == "succeeded", order.id
            elif order.status == "cancelled":
                assert intent.status != "succeeded", order.id
            else:
                assert order.status == "pending" and intent.status != "succeeded", order.id
        assert {o.status for o in orders} >= {"paid", "cancelled", "pending"}

        # Mail: exactly one message per order that was paid or cancelled, none for the rest,
        # however many instances saw the payment or the cancellation.
        mail = db.session.execute(select(OutboxMessage.kind, OutboxMessage.event_key)).all()
        expected = {(f"order-{o.status}", f"order-{o.id}-{o.status}") for o in orders
                    if o.status in ("paid", "cancelled")}
        assert sorted(mail) == sorted(expected)
        stock = db.session.get(Product, product_ids[0]).stock

    # What changed through either instance shows on both.
    assert stock < STARTING_STOCK
    assert stock_on(one, product_ids[0]) == stock_on(other, product_ids[0]) == stock
    # Each buyer's orders as both instances list them now (lists they kept, where nothing
    # changed since) are the orders as the database holds them.
    listed = set()
    for client in clients:
        lists = [client.call(base, "/orders")[1] for base in two_instances]
        assert lists[0] == lists[1]
        listed |= {(o["id"], o["status"]) for o in lists[0]}
    assert listed == truth

