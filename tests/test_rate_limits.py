"""Rate limits on the routes an attacker would hammer, and the cap on unpaid orders."""

import concurrent.futures
import http.cookiejar
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from shop import create_app
from shop.accounts import services as accounts
from shop.catalog.models import Product
from shop.extensions import db
from shop.orders.services import MAX_PENDING_ORDERS
from tests.helpers import (
    PASSWORD,
    csrf_token_from,
    free_port,
    log_in,
    test_config,
    wait_for_server,
)

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def app_config(tmp_path):
    return test_config(tmp_path, RATELIMIT_ENABLED=True, SHOP_PROXY_HOPS=1,
                       SHOP_LOGIN_LIMIT_PER_ADDRESS="4 per minute",
                       SHOP_LOGIN_LIMIT_PER_ACCOUNT="3 per minute",
                       SHOP_REGISTER_LIMIT="2 per minute", SHOP_TOKEN_LIMIT="2 per minute")


def attempt_login(client, email, address, password="wrong password"):
    return client.post("/login", data={"email": email, "password": password,
                                       "csrf_token": csrf_token_from(client)},
                       headers={"X-Forwarded-For": address})


def test_login_is_limited_per_address_and_per_account(client, make_user):
    make_user("ann@example.com")
    # One account from many addresses: the account's budget runs out.
    statuses = [attempt_login(client, "ann@example.com", f"10.0.0.{n}").status_code
                for n in range(1, 6)]
    assert statuses == [200, 200, 200, 429, 429]
    # ... even with the right password and the address changed: that is the point.
    assert attempt_login(client, "Ann@Example.com", "10.0.0.9", PASSWORD).status_code == 429
    # Many accounts from one address: the address's budget runs out.
    statuses = [attempt_login(client, f"u{n}@example.com", "10.0.1.1").status_code
                for n in range(6)]
    assert statuses == [200, 200, 200, 200, 429, 429]
    # Another address, another account: untouched.
    assert attempt_login(client, "bob@example.com", "10.0.2.1").status_code == 200


def test_registration_is_limited_per_address(client):
    def register(n, address):
        return client.post("/register", data={"email": f"r{n}@example.com", "password": PASSWORD,
                                              "confirm": PASSWORD,
                                              "csrf_token": csrf_token_from(client)},
                           headers={"X-Forwarded-For": address}).status_code

    assert [register(n, "10.0.3.1") for n in range(3)] == [302, 302, 429]
    assert register(9, "10.0.3.2") == 302


def test_token_creation_is_limited_per_user(app, make_user):
    make_user("ann@example.com")
    make_user("bob@example.com")
    ann, bob = app.test_client(), app.test_client()
    log_in(ann, "ann@example.com")
    log_in(bob, "bob@example.com")

    def create(client):
        return client.post("/account", data={"name": "t", "csrf_token": csrf_token_from(client)},
                           headers={"X-Forwarded-For": "10.0.4.1"}).status_code

    assert [create(ann) for _ in range(3)] == [200, 200, 429]
    assert create(bob) == 200


def test_a_shopper_holds_at_most_ten_unpaid_orders(app, shopper, make_product):
    app.config["RATELIMIT_ENABLED"] = False
    mug = make_product(stock=1000)
    ids = [shopper.post("/orders/new", json=[{"id": mug, "quantity": 1}]).json["id"]
           for _ in range(MAX_PENDING_ORDERS)]
    refused = shopper.post("/orders/new", json=[{"id": mug, "quantity": 1}])
    assert refused.status_code == 409
    assert refused.mimetype == "application/problem+json"
    assert "unpaid" in refused.json["detail"]
    assert shopper.get(f"/products/{mug}").json["stock"] == 1000 - MAX_PENDING_ORDERS
    assert shopper.post("/orders/status-update",
                        json={"orderId": ids[0], "status": "cancelled"}).status_code == 200
    assert shopper.post("/orders/new", json=[{"id": mug, "quantity": 1}]).status_code == 201


# --- across processes: two gunicorn workers sharing Redis ----------------------------------


@pytest.fixture
def gunicorn(tmp_path, redis_url, app):
    """The shop under gunicorn with two workers, limits kept in Redis; yields its URL."""
    config = test_config(tmp_path, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=redis_url,
                         # A real hash keeps each login busy long enough for both workers to work.
                         PASSWORD_HASH_METHOD="scrypt",
                         SHOP_LOGIN_LIMIT_PER_ACCOUNT="3 per minute",
                         SHOP_LOGIN_LIMIT_PER_ADDRESS="100 per minute",
                         SHOP_ORDER_LIMIT="4 per minute")
    app = create_app(config)  # on the session's database; `app` empties it afterwards
    with app.app_context():
        user = accounts.create_user("ann@example.com", PASSWORD)
        _, token = accounts.create_token(user, "limits")
        db.session.add(Product(name="Mug", price_in_cents=500, stock=100, active=True,
                               description="A mug.", image_url=None))
        db.session.commit()
        product_id = db.session.scalars(db.select(Product.id)).one()
        db.session.remove()
        db.engine.dispose()
    port = free_port()
    spec = f"shop:create_app(config={config!r}, instance_path={str(tmp_path / 'inst')!r})"
    command = [sys.executable, "-m", "gunicorn", "--workers", "2", "--graceful-timeout", "5",
               "--bind", f"127.0.0.1:{port}", "--access-logfile", "-",
               "--access-logformat", "pid=%(p)s %(m)s %(U)s %(s)s", spec]
    base = f"http://127.0.0.1:{port}"
    with open(tmp_path / "gunicorn.log", "w+") as log:
        process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for_server(base + "/healthz", log)
            wait_for_both_workers(base, tmp_path / "gunicorn.log")
            yield base, token, product_id, log
        finally:
            process.terminate()
            process.wait(timeout=60)
            with app.app_context():
                db.engine.dispose()


def wait_for_both_workers(base: str, log: Path) -> None:
    """Until each of the two workers has answered: the first to start answers alone for a
    while, and a test that only it served would prove nothing about sharing limits."""
    deadline = time.monotonic() + 120
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        while len(set(re.findall(r"pid=<(\d+)> GET /healthz", log.read_text()))) < 2:
            if time.monotonic() > deadline:
                pytest.fail("the second worker never answered: " + log.read_text())
            list(pool.map(lambda _: status_of(urllib.request.build_opener(),
                                              urllib.request.Request(base + "/healthz")),
                          range(8)))
            time.sleep(0.1)


def status_of(opener, request) -> int:
    try:
        with opener.open(request, timeout=30) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        error.close()
        return error.code


def login_attempt(base: str) -> int:
    """A browser's login: fetch the form (and its CSRF token), post a wrong password."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    with opener.open(base + "/login", timeout=30) as page:
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|'
                          r'name="csrf-token" content="([^"]+)"', page.read().decode())
    form = urllib.parse.urlencode({"email": "ann@example.com", "password": "wrong password",
                                   "csrf_token": token.group(1) or token.group(2)}).encode()
    return status_of(opener, urllib.request.Request(base + "/login", data=form))


def order_attempt(base: str, token: str, product_id: int) -> int:
    body = f'[{{"id": {product_id}, "quantity": 1}}]'.encode()
    request = urllib.request.Request(base + "/orders/new", data=body, headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    return status_of(urllib.request.build_opener(), request)


@pytest.mark.real_commits  # gunicorn's workers read what the test wrote
def test_limits_hold_across_two_gunicorn_workers(gunicorn):
    base, token, product_id, log = gunicorn
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        logins = list(pool.map(lambda _: login_attempt(base), range(8)))
        orders = list(pool.map(lambda _: order_attempt(base, token, product_id), range(7)))
    assert sorted(logins) == [200] * 3 + [429] * 5
    assert sorted(orders) == [201] * 4 + [429] * 3
    log.flush()
    log.seek(0)
    served_by = set(re.findall(r"pid=<(\d+)> POST /(?:login|orders/new)", log.read()))
    assert len(served_by) == 2, "both workers should have answered"
