"""HTTP benchmark: the shop under gunicorn beside a bare Flask app, both driven by wrk.

    bench/run                      # SQLite and PostgreSQL, 8 s a path
    bench/run --quick              # a smoke check: 1 s a path (CI runs this)
    bench/run --databases sqlite --duration 5 --json results.json

For each database it builds a scratch shop (migrations, the demo catalog, a shopper with ten
orders, staff, a pool of buyers with API tokens), serves it with gunicorn and
deploy/gunicorn.conf.py, serves bench/bare_app.py with the same settings, and drives the same
path on both with wrk, the two taking turns (--rounds, each time the other first): requests per
second, p50 and p99, the shop's rate as a ratio of the bare app's, and each one's CPU time per
request. Ratios, not absolute numbers, are what to compare between machines or runs on a busy
machine: both apps see the same load at almost the same moments.

Then the checkout: ten buyers placing orders at once through POST /orders/new with Stripe on
(the stripe library talks to bench/stripe_stand_in.py, which answers after 250 ms), all buying
the same product, then each a different one: orders per second of each, and their ratio.

Needs wrk (Debian: apt-get install wrk). PostgreSQL is used when --postgres-url answers; the
benchmark drops and recreates that database, so name a scratch one. The shop's rate limits are
counted in Redis (--limits-url, a database number the benchmark empties), as several processes
must count them; without Redis each process counts its own.
"""

import argparse
import functools
import hashlib
import http.cookiejar
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
VENV_BIN = Path(sys.executable).parent
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/shop_bench"
DEFAULT_LIMITS_URL = "redis://127.0.0.1:6379/14"
BUYER_POOL = 3000
BIG_STOCK = 100_000_000
SHOPPER = ("bench-shopper@example.com", "bench-shopper-pass")
STAFF = ("bench-staff@example.com", "bench-staff-pass")
CHECKOUT_BUYERS = 10
STRIPE_LATENCY = 0.25
ORDERS_OF_THE_SHOPPER = 10
# The gunicorn settings both apps are served with; main() may change it (--gunicorn-config).
GUNICORN_CONFIG: Path | None = ROOT / "deploy" / "gunicorn.conf.py"


@dataclass
class Measurement:
    """One wrk run: rate, latency percentiles in milliseconds, and the failures it saw."""

    requests: int = 0
    seconds: float = 0.0
    rps: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    non_2xx: int = 0
    socket_errors: int = 0
    # The server's CPU time per answered request: unlike the rate, it hardly depends on what
    # else the machine is doing.
    cpu_ms: float = 0.0

    @property
    def ok_per_second(self) -> float:
        good = max(self.requests - self.non_2xx, 0)
        return good / self.seconds if self.seconds else 0.0


def combined(parts: list[Measurement]) -> Measurement:
    """Several wrk runs of one app as one: the rate and the CPU per request from their totals,
    p50 the median of theirs and p99 the highest."""
    requests = sum(p.requests for p in parts)
    seconds = sum(p.seconds for p in parts)
    return Measurement(
        requests=requests, seconds=seconds, rps=requests / seconds if seconds else 0.0,
        p50_ms=statistics.median(p.p50_ms for p in parts), p99_ms=max(p.p99_ms for p in parts),
        non_2xx=sum(p.non_2xx for p in parts),
        socket_errors=sum(p.socket_errors for p in parts),
        cpu_ms=sum(p.cpu_ms * p.requests for p in parts) / requests if requests else 0.0)


@dataclass
class PathResult:
    database: str
    path: str
    shop: Measurement
    bare: Measurement

    @property
    def ratio(self) -> float:
        return self.shop.rps / self.bare.rps if self.bare.rps else 0.0

    @property
    def cpu_ratio(self) -> float:
        """The bare app's CPU per request over the shop's: the rate ratio of an idle machine."""
        return self.bare.cpu_ms / self.shop.cpu_ms if self.shop.cpu_ms else 0.0


@dataclass
class CheckoutResult:
    database: str
    same_product: Measurement
    different_products: Measurement

    @property
    def ratio(self) -> float:
        separate = self.different_products.ok_per_second
        return self.same_product.ok_per_second / separate if separate else 0.0


@dataclass
class Run:
    machine: dict
    settings: dict
    paths: list[PathResult] = field(default_factory=list)
    checkouts: list[CheckoutResult] = field(default_factory=list)


# --- wrk ---------------------------------------------------------------------------------------

_DURATION = re.compile(r"([\d.]+)(us|ms|s|m)\b")
_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    match = _DURATION.search(text)
    return float(match.group(1)) * _UNIT_MS[match.group(2)] if match else 0.0


def parse_wrk(output: str) -> Measurement:
    """Read wrk's --latency report."""
    result = Measurement()
    if m := re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)", output):
        result.requests = int(m.group(1))
        result.seconds = float(m.group(2)) * _UNIT_MS[m.group(3)] / 1000
    if m := re.search(r"Requests/sec:\s+([\d.]+)", output):
        result.rps = float(m.group(1))
    if m := re.search(r"^\s+50%\s+(\S+)", output, re.M):
        result.p50_ms = _ms(m.group(1))
    if m := re.search(r"^\s+99%\s+(\S+)", output, re.M):
        result.p99_ms = _ms(m.group(1))
    if m := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        result.non_2xx = int(m.group(1))
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                      output):
        result.socket_errors = sum(int(n) for n in m.groups())
    return result


def wrk(url: str, seconds: float, *, connections: int, threads: int, headers=(),
        script: Path | None = None, env: dict | None = None, timeout: str = "10s",
        server: "Server | None" = None) -> Measurement:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(round(seconds), 1)}s",
               f"--timeout={timeout}", "--latency"]
    for header in headers:
        command += ["-H", header]
    if script is not None:
        command += ["-s", str(script)]
    command.append(url)
    cpu_before = server.cpu_seconds() if server else 0.0
    done = subprocess.run(command, capture_output=True, text=True, check=False,
                          env={**os.environ, **(env or {})}, timeout=seconds + 60)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed: {done.stderr or done.stdout}")
    result = parse_wrk(done.stdout)
    if server and result.requests:
        result.cpu_ms = (server.cpu_seconds() - cpu_before) * 1000 / result.requests
    return result


# --- processes ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                response.read()
                return
        except urllib.error.HTTPError:
            return  # it answers; the status is not the point here
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not come up") from None
            time.sleep(0.2)


@dataclass
class Server:
    """A gunicorn master at `base`; cpu_seconds() adds up its processes' CPU time."""

    base: str
    pid: int

    def cpu_seconds(self) -> float:
        """User and system time of the master and its workers so far (Linux's /proc)."""
        total, pending = 0, [self.pid]
        while pending:
            pid = pending.pop()
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])  # utime, stime
                if pid == self.pid:  # and of the workers it replaced (max_requests)
                    total += int(fields[13]) + int(fields[14])  # cutime, cstime
                for task in Path(f"/proc/{pid}/task").iterdir():
                    pending += [int(c) for c in (task / "children").read_text().split()]
            except (OSError, IndexError, ValueError):
                continue
        return total / os.sysconf("SC_CLK_TCK")


@functools.cache
def _has_control_socket() -> bool:
    done = subprocess.run([str(VENV_BIN / "gunicorn"), "--help"], capture_output=True, text=True)
    return "--no-control-socket" in done.stdout


@contextmanager
def gunicorn(wsgi: str, env: dict, log: Path, *, workers: int | None,
             threads: int | None = None):
    """Serve `wsgi` with deploy/gunicorn.conf.py (plain gunicorn without one); `workers` and
    `threads` override the configuration's."""
    port = free_port()
    command = [str(VENV_BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}"]
    if workers is not None:
        command += ["--workers", str(workers)]
        env = {**env, "WEB_CONCURRENCY": str(workers)}
    if GUNICORN_CONFIG is not None:
        command += ["--config", str(GUNICORN_CONFIG)]
    if _has_control_socket():
        command.append("--no-control-socket")  # several gunicorns would share one socket path
    if threads is not None:
        command += ["--threads", str(threads)]
    command.append(wsgi)
    with open(log, "ab") as out:
        process = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                   env={**os.environ, **env},
                                   start_new_session=True)
    server = Server(f"http://127.0.0.1:{port}", process.pid)
    try:
        wait_until_up(server.base + "/products")
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def stripe_stand_in(latency: float, log: Path):
    port = free_port()
    with open(log, "ab") as out:
        process = subprocess.Popen(
            [sys.executable, str(BENCH / "stripe_stand_in.py"), "--port", str(port),
             "--latency", str(latency)], stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base + "/v1/payment_intents/none")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


# --- the scratch shop --------------------------------------------------------------------------


def sqlite_url(workdir: Path) -> str:
    return f"sqlite:///{workdir / 'bench.sqlite'}"


def recreate_postgres(url: str) -> bool:
    """Drop and create the scratch database; False when PostgreSQL does not answer."""
    import psycopg

    parts = urllib.parse.urlsplit(url.replace("postgresql+psycopg://", "postgresql://"))
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise SystemExit(f"--postgres-url must name a plain database, not {name!r}")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        print(f"PostgreSQL at {admin} does not answer ({error}); skipping it.", file=sys.stderr)
        return False
    return True


def rate_limit_storage(url: str) -> str:
    """Where the shop's processes count rate limits: Redis at `url` (emptied first), as
    docs/deploy.md has several processes do, or each process's memory if Redis does not answer
    or `url` is "memory"."""
    if url == "memory":
        return "memory://"
    import redis

    try:
        redis.Redis.from_url(url, socket_timeout=5).flushdb()
    except (redis.RedisError, ValueError) as error:
        print(f"Redis at {url} does not answer ({error}); each gunicorn process counts rate "
              "limits in its own memory.", file=sys.stderr)
        return "memory://"
    return url


def drop_postgres(url: str) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(url.replace("postgresql+psycopg://", "postgresql://"))
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')


def build_shop(url: str, secret_key: str, workdir: Path) -> dict:
    """Schema by migrations, demo data, the bench's users; returns what the drivers need."""
    from flask_migrate import upgrade
    from sqlalchemy import insert, select, update

    from shop import create_app
    from shop.accounts import services as accounts
    from shop.accounts.models import ApiToken, Role, User
    from shop.catalog.models import Product
    from shop.config import normalise_database_url
    from shop.demo import seed
    from shop.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": normalise_database_url(url),
                      "SECRET_KEY": secret_key, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"},
                     **_instance(workdir))
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        seed(app.config)
        shopper = accounts.create_user(*SHOPPER)
        accounts.create_user(*STAFF, Role.STAFF)
        _, shopper_token = accounts.create_token(shopper, "bench")
        # Stock for every order the benchmark will place; the catalog stays the demo's.
        product_ids = list(db.session.scalars(select(Product.id).order_by(Product.id)))
        db.session.execute(update(Product).values(stock=BIG_STOCK))
        db.session.commit()

        # A pool of buyers, so that no one shopper piles up unpaid orders past any cap.
        password_hash = accounts.hash_password(secrets.token_urlsafe(12))
        db.session.execute(insert(User), [
            {"email": f"buyer{n}@example.com", "password_hash": password_hash,
             "role": Role.CUSTOMER} for n in range(BUYER_POOL)])
        buyer_ids = list(db.session.scalars(
            select(User.id).where(User.email.like("buyer%@example.com")).order_by(User.id)))
        tokens = ["shop_" + secrets.token_urlsafe(32) for _ in buyer_ids]
        db.session.execute(insert(ApiToken), [
            {"user_id": uid, "name": "bench", "token_hash": hashlib.sha256(t.encode()).hexdigest(),
             "prefix": t[:12]} for uid, t in zip(buyer_ids, tokens, strict=True)])
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    tokens_file = workdir / "buyer-tokens.txt"
    tokens_file.write_text("\n".join(tokens) + "\n")
    return {"shopper_token": shopper_token, "product_ids": product_ids,
            "tokens_file": tokens_file}


def _instance(workdir: Path) -> dict:
    """Keep the scratch shop's instance folder out of the repository's, where it is possible."""
    import inspect

    from shop import create_app

    if "instance_path" in inspect.signature(create_app).parameters:
        path = workdir / "instance"
        path.mkdir(exist_ok=True)
        return {"instance_path": str(path)}
    return {}


class Browser:
    """Just enough of a browser to log in and fill a cart: cookies, forms, CSRF tokens.

    Like a real browser, it sends the same User-Agent on every request, and wrk sends it too
    with the browser's cookie (the session's protection compares it with the login's).
    """

    USER_AGENT = "shop-bench-browser/1"

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar),
                                                  _NoRedirects())
        self.opener.addheaders = [("User-Agent", self.USER_AGENT)]

    def get(self, path: str) -> tuple[int, str]:
        return self._send(urllib.request.Request(self.base + path))

    def post_form(self, path: str, fields: dict) -> tuple[int, str]:
        _, page = self.get(path if path.startswith("/login") else "/")
        token = re.search(r'name="csrf-token" content="([^"]+)"', page)
        if token is None:
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        data = urllib.parse.urlencode({**fields, "csrf_token": token.group(1)}).encode()
        return self._send(urllib.request.Request(self.base + path, data=data))

    def _send(self, request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def headers(self) -> list[str]:
        """What wrk sends to be this browser: its cookie and its User-Agent."""
        cookie = "Cookie: " + "; ".join(f"{c.name}={c.value}" for c in self.jar)
        return [cookie, f"User-Agent: {self.USER_AGENT}"]


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def call_json(base: str, method: str, path: str, token: str, body=None) -> tuple[int, object]:
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Authorization": f"Bearer {token}"}
    if data is not None:
        headers["Content-Type"] = "application/json"
        headers["Idempotency-Key"] = secrets.token_hex(16)
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def prepare_clients(base: str, shop: dict) -> dict:
    """Over HTTP, as clients would: the shopper's orders, two logins, a cart of three lines."""
    order_ids = []
    products = shop["product_ids"]
    for n in range(ORDERS_OF_THE_SHOPPER):
        status, order = call_json(base, "POST", "/orders/new", shop["shopper_token"],
                                  [{"id": products[n % len(products)], "quantity": 1},
                                   {"id": products[(n + 1) % len(products)], "quantity": 2}])
        if status != 201:
            raise RuntimeError(f"could not place the shopper's orders: {status} {order}")
        order_ids.append(order["id"])
    logins = {}
    for name, (email, password) in (("shopper", SHOPPER), ("staff", STAFF)):
        browser = Browser(base)
        status, page = browser.post_form("/login", {"email": email, "password": password})
        if status != 302:
            raise RuntimeError(f"could not log in as {email}: {status} {page[:500]}")
        logins[name] = browser
    for product_id in products[:3]:
        status, _ = logins["shopper"].post_form(
            "/cart/add", {"product_id": product_id, "quantity": 1, "next": "/cart"})
        if status != 302:
            raise RuntimeError(f"could not fill the cart: {status}")
    # Follow the last redirect, as a browser would: it shows the "added" messages, which
    # leaves a cookie without them (else every measured request would show and drop them).
    logins["shopper"].get("/cart")
    return {"order_id": order_ids[len(order_ids) // 2], "shopper": logins["shopper"],
            "staff": logins["staff"]}


# --- the run -----------------------------------------------------------------------------------


@dataclass
class Target:
    label: str
    path: str
    who: str  # bearer, anonymous, shopper, staff, buyers
    expect: int = 200


PATHS = [
    Target("GET /orders (10 orders, bearer)", "/orders", "bearer"),
    Target("GET /orders/{id} (bearer)", "/orders/{order_id}", "bearer"),
    Target("GET /products", "/products", "anonymous"),
    Target("POST /orders/new (bearer)", "/orders/new", "buyers", 201),
    Target("/ (catalog page)", "/", "anonymous"),
    Target("/cart (3 lines, logged in)", "/cart", "shopper"),
    Target("/account/orders (logged in)", "/account/orders", "shopper"),
    Target("/staff/orders (staff)", "/staff/orders", "staff"),
    Target("/staff/leads (staff)", "/staff/leads", "staff"),
]


class TokenCursor:
    """Hands each wrk run buyers that earlier runs did not use, as far as the pool goes."""

    def __init__(self):
        self.next = 0

    def take(self, used: int) -> int:
        start = self.next
        self.next = (self.next + used + 64) % BUYER_POOL
        return start


def post_env(shop: dict, cursor: TokenCursor, *, threads: int, mode: str) -> dict:
    return {"BENCH_TOKENS_FILE": str(shop["tokens_file"]),
            "BENCH_PRODUCTS": ",".join(str(p) for p in shop["product_ids"][:CHECKOUT_BUYERS]),
            "BENCH_MODE": mode, "BENCH_THREADS": str(threads),
            "BENCH_TOKEN_OFFSET": str(cursor.next), "BENCH_RUN": secrets.token_hex(4)}


def check_path(base: str, item: Target, headers: list[str], shop: dict) -> None:
    """One request first: a benchmark of a redirect to the login page would measure nothing."""
    url = base + item.path.format(order_id=shop.get("order_id", 1))
    if item.who == "buyers":
        status, body = call_json(base, "POST", item.path, _first_token(shop),
                                 [{"id": shop["product_ids"][0], "quantity": 1}])
    else:
        request = urllib.request.Request(url, headers=dict(h.split(": ", 1) for h in headers))
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, body = response.status, response.read()[:300]
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read()[:300]
    if status != item.expect:
        raise RuntimeError(f"{item.label} answered {status}, not {item.expect}: {body!r}")


def _first_token(shop: dict) -> str:
    return Path(shop["tokens_file"]).read_text().split()[-1]


def measure_path(servers: dict[str, "Server"], path: str, item: Target, headers: list[str],
                 shop: dict, cursor: TokenCursor, args) -> dict[str, Measurement]:
    """Both apps at one path: a warm-up each, then `args.rounds` turns, each time the other
    app first, so that a spell of noise from elsewhere on the machine falls on both alike."""
    script = BENCH / "post_order.lua" if item.who == "buyers" else None

    def measure(which: str, seconds: float, *, counted: bool) -> Measurement:
        env_post = (post_env(shop, cursor, threads=args.threads, mode="separate")
                    if script else None)
        result = wrk(servers[which].base + path, seconds, connections=args.connections,
                     threads=args.threads, headers=headers, script=script, env=env_post,
                     server=servers[which] if counted else None)
        if script:
            cursor.take(result.requests)
        return result

    if args.warmup:
        for which in servers:
            measure(which, args.warmup, counted=False)
    parts: dict[str, list[Measurement]] = {which: [] for which in servers}
    for n in range(args.rounds):
        for which in (("bare", "shop") if n % 2 == 0 else ("shop", "bare")):
            parts[which].append(measure(which, args.duration / args.rounds, counted=True))
    return {which: combined(runs) for which, runs in parts.items()}


def bench_database(name: str, url: str, args, run: Run, workdir: Path) -> None:
    secret_key = secrets.token_urlsafe(32)
    print(f"\n== {name}: building the scratch shop", flush=True)
    shop = build_shop(url, secret_key, workdir)
    env = {"DATABASE_URL": url, "SECRET_KEY": secret_key,
           "RATELIMIT_STORAGE_URI": args.limits_storage, "BENCH_SHOP_CONFIG": json.dumps(
               {"SHOP_ORDER_LIMIT": "1000000 per hour"})}
    for key in ("STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET",
                "STRIPE_API_BASE"):
        env[key] = ""
    log = workdir / f"{name}-gunicorn.log"
    cursor = TokenCursor()
    with gunicorn("bench.shop_wsgi:app", env, log, workers=args.workers) as shop_server, \
            gunicorn("bench.bare_app:app", {}, log, workers=args.workers) as bare_server:
        shop.update(prepare_clients(shop_server.base, shop))
        print(f"== {name}: {len(PATHS)} paths, {args.duration:g} s each on the shop and on the "
              f"bare app, {args.connections} connections", flush=True)
        wanted = [w.strip() for w in args.paths.split(",") if w.strip()]
        for item in PATHS:
            if wanted and not any(w in item.label for w in wanted):
                continue
            headers = []
            if item.who == "bearer":
                headers = [f"Authorization: Bearer {shop['shopper_token']}"]
            elif item.who in ("shopper", "staff"):
                headers = shop[item.who].headers()
            check_path(shop_server.base, item, headers, shop)
            path = item.path.format(order_id=shop["order_id"])
            measured = measure_path({"bare": bare_server, "shop": shop_server}, path, item,
                                    headers, shop, cursor, args)
            result = PathResult(name, item.label, measured["shop"], measured["bare"])
            run.paths.append(result)
            print(f"   {item.label:34} shop {result.shop.rps:7.0f} req/s   bare "
                  f"{result.bare.rps:7.0f} req/s   {result.ratio:5.2f}x   CPU/request "
                  f"{result.shop.cpu_ms:5.2f} / {result.bare.cpu_ms:5.2f} ms   "
                  f"{result.cpu_ratio:5.2f}x"
                  + (f"   ({result.shop.non_2xx} non-2xx)" if result.shop.non_2xx else ""),
                  flush=True)
    if not args.skip_checkout:
        bench_checkout(name, url, secret_key, shop, args, run, workdir, cursor)


def bench_checkout(name, url, secret_key, shop, args, run, workdir, cursor) -> None:
    log = workdir / f"{name}-checkout.log"
    print(f"== {name}: checkout, {CHECKOUT_BUYERS} buyers at once, Stripe answering after "
          f"{STRIPE_LATENCY * 1000:.0f} ms", flush=True)
    with stripe_stand_in(STRIPE_LATENCY, log) as stripe_base:
        env = {"DATABASE_URL": url, "SECRET_KEY": secret_key,
               "STRIPE_SECRET_KEY": "sk_test_bench_stand_in", "STRIPE_API_BASE": stripe_base,
               "STRIPE_PUBLISHABLE_KEY": "", "STRIPE_WEBHOOK_SECRET": "",
               "RATELIMIT_STORAGE_URI": args.limits_storage,
               "BENCH_SHOP_CONFIG": json.dumps({"SHOP_ORDER_LIMIT": "1000000 per hour"})}
        with gunicorn("bench.shop_wsgi:app", env, log, workers=args.workers,
                      threads=args.checkout_threads) as server:
            base = server.base
            if args.warmup:
                # Connections to the database and to the provider opened, code loaded: the
                # first measured mode would pay for it otherwise.
                env_post = post_env(shop, cursor, threads=CHECKOUT_BUYERS, mode="separate")
                warm = wrk(base + "/orders/new", args.warmup, connections=CHECKOUT_BUYERS,
                           threads=CHECKOUT_BUYERS, script=BENCH / "post_order.lua",
                           env=env_post, timeout="30s")
                cursor.take(warm.requests)
            # The two modes take turns, as the shop and the bare app do on each path, each
            # time the other first: a slow spell (a checkpoint of the database's log after the
            # paths' thousands of orders, noise from elsewhere) falls on both alike.
            parts: dict[str, list[Measurement]] = {"hot": [], "separate": []}
            for n in range(args.rounds):
                for mode in (("hot", "separate") if n % 2 == 0 else ("separate", "hot")):
                    env_post = post_env(shop, cursor, threads=CHECKOUT_BUYERS, mode=mode)
                    measured = wrk(base + "/orders/new", args.checkout_duration / args.rounds,
                                   connections=CHECKOUT_BUYERS, threads=CHECKOUT_BUYERS,
                                   script=BENCH / "post_order.lua", env=env_post,
                                   timeout="30s")
                    cursor.take(measured.requests)
                    parts[mode].append(measured)
            rates = {mode: combined(runs) for mode, runs in parts.items()}
    result = CheckoutResult(name, rates["hot"], rates["separate"])
    run.checkouts.append(result)
    print(f"   same product {result.same_product.ok_per_second:6.1f} orders/s   different "
          f"products {result.different_products.ok_per_second:6.1f} orders/s   "
          f"{result.ratio:4.2f}x", flush=True)


# --- reporting ---------------------------------------------------------------------------------


def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout
    return {"cpu": cpu, "cores": os.cpu_count(), "load_average": os.getloadavg()[0],
            "python": platform.python_version(), "os": platform.platform(terse=True),
            "wrk": wrk_version.split("\n")[0].strip()}


def table(run: Run) -> str:
    lines = ["| database | path | shop req/s | p50 ms | p99 ms | bare req/s | p50 ms | p99 ms "
             "| ratio | CPU ms/req shop / bare | CPU ratio |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in run.paths:
        errors = f" ({r.shop.non_2xx + r.shop.socket_errors} errors)" if (
            r.shop.non_2xx or r.shop.socket_errors) else ""
        lines.append(f"| {r.database} | `{r.path}` | {r.shop.rps:,.0f}{errors} | "
                     f"{r.shop.p50_ms:.1f} | {r.shop.p99_ms:.1f} | {r.bare.rps:,.0f} | "
                     f"{r.bare.p50_ms:.1f} | {r.bare.p99_ms:.1f} | {r.ratio:.2f}× | "
                     f"{r.shop.cpu_ms:.2f} / {r.bare.cpu_ms:.2f} | {r.cpu_ratio:.2f}× |")
    if run.checkouts:
        lines += ["", f"Checkout, {CHECKOUT_BUYERS} buyers at once, Stripe answering after "
                      f"{STRIPE_LATENCY * 1000:.0f} ms:", "",
                  "| database | same product orders/s | different products orders/s | ratio |",
                  "| --- | ---: | ---: | ---: |"]
        for c in run.checkouts:
            lines.append(f"| {c.database} | {c.same_product.ok_per_second:.1f} | "
                         f"{c.different_products.ok_per_second:.1f} | {c.ratio:.2f}× |")
    return "\n".join(lines)


def to_json(run: Run) -> dict:
    return {
        "machine": run.machine, "settings": run.settings,
        "paths": [{**asdict(r), "ratio": r.ratio, "cpu_ratio": r.cpu_ratio} for r in run.paths],
        "checkouts": [{"database": c.database, "same_product": c.same_product.ok_per_second,
                       "different_products": c.different_products.ok_per_second,
                       "ratio": c.ratio} for c in run.checkouts],
    }


def main(argv=None) -> int:
    global GUNICORN_CONFIG
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n".join(__doc__.splitlines()[1:]))
    parser.add_argument("--quick", action="store_true",
                        help="a smoke check: 1 s a path, no warm-up, SQLite unless "
                             "--databases says otherwise")
    parser.add_argument("--databases", default=None,
                        help="comma-separated: sqlite,postgresql (default: both; --quick: sqlite)")
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_POSTGRES_URL",
                                                                 DEFAULT_POSTGRES_URL),
                        help="a scratch database, dropped and created again (default: "
                             f"$BENCH_POSTGRES_URL or {DEFAULT_POSTGRES_URL})")
    parser.add_argument("--duration", type=float, default=8, help="seconds per path and app")
    parser.add_argument("--warmup", type=float, default=1, help="seconds of warm-up before each")
    parser.add_argument("--rounds", type=int, default=3,
                        help="turns the two apps take at each path, the duration shared "
                             "between them (--quick: 1)")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=None,
                        help="gunicorn workers of each app (default: the configuration's)")
    parser.add_argument("--checkout-threads", type=int, default=None,
                        help="gunicorn threads per worker for the checkout (default: "
                             "deploy/gunicorn.conf.py's, or 16 without it)")
    parser.add_argument("--checkout-duration", type=float, default=10)
    parser.add_argument("--skip-checkout", action="store_true")
    parser.add_argument("--gunicorn-config", default=str(GUNICORN_CONFIG),
                        help="settings for both apps; 'none' for gunicorn's defaults "
                             "(sync workers)")
    parser.add_argument("--paths", default="",
                        help="only the paths whose label contains one of these words "
                             "(comma-separated), e.g. --paths 'GET /orders,catalog'")
    parser.add_argument("--limits-url", default=os.environ.get("BENCH_REDIS_URL",
                                                               DEFAULT_LIMITS_URL),
                        help="Redis for the shop's rate-limit counters, emptied before and after "
                             "(several processes share them there, as in docs/deploy.md); "
                             "'memory' for each process's own (default: $BENCH_REDIS_URL or "
                             f"{DEFAULT_LIMITS_URL})")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder and logs")
    args = parser.parse_args(argv)
    config = Path(args.gunicorn_config)
    GUNICORN_CONFIG = config if args.gunicorn_config != "none" and config.exists() else None
    if args.checkout_threads is None and GUNICORN_CONFIG is None:
        args.checkout_threads = 16
    if args.quick:
        args.duration, args.warmup, args.checkout_duration, args.rounds = 1, 0, 2, 1
    args.rounds = max(1, min(args.rounds, int(args.duration)))  # wrk measures whole seconds
    databases = (args.databases or ("sqlite" if args.quick else "sqlite,postgresql")).split(",")

    if shutil.which("wrk") is None:
        print("The benchmark drives the apps with wrk, which is not installed. On Debian or "
              "Ubuntu: apt-get install wrk (elsewhere: https://github.com/wg/wrk).",
              file=sys.stderr)
        return 2

    args.limits_storage = rate_limit_storage(args.limits_url)
    run = Run(machine=machine(), settings={
        "rate_limits": "Redis" if args.limits_storage != "memory://" else "each process's memory",
        "duration_s": args.duration, "warmup_s": args.warmup, "rounds": args.rounds,
        "connections": args.connections,
        "wrk_threads": args.threads, "gunicorn_workers": args.workers,
        "gunicorn_config": GUNICORN_CONFIG.name if GUNICORN_CONFIG
        else "gunicorn defaults (sync workers)",
        "checkout_threads": args.checkout_threads, "stripe_latency_s": STRIPE_LATENCY})
    workdir = Path(tempfile.mkdtemp(prefix="shop-bench-"))
    try:
        for name in databases:
            name = name.strip()
            if name == "sqlite":
                bench_database("SQLite", sqlite_url(workdir), args, run, workdir)
            elif name in ("postgresql", "postgres"):
                if recreate_postgres(args.postgres_url):
                    try:
                        bench_database("PostgreSQL", args.postgres_url, args, run, workdir)
                    finally:
                        drop_postgres(args.postgres_url)
            else:
                parser.error(f"unknown database {name!r}")
    finally:
        if args.limits_storage != "memory://":
            rate_limit_storage(args.limits_storage)  # empty again
        if args.keep:
            print(f"\nScratch folder and logs: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    m = run.machine
    print(f"\nMachine: {m['cpu']}, {m['cores']} cores, load average {m['load_average']:.1f} "
          f"at the start; Python {m['python']}; {m['wrk']}")
    workers = (f"{args.workers} workers" if args.workers is not None
               else "the configuration's workers and threads")
    print(f"gunicorn: {workers}, {run.settings['gunicorn_config']}; wrk: "
          f"{args.threads} threads, {args.connections} connections, {args.duration:g} s a path "
          f"and app in {args.rounds} turns; rate limits counted in "
          f"{run.settings['rate_limits']}\n")
    print(table(run))
    if args.json:
        args.json.write_text(json.dumps(to_json(run), indent=2))
    missing = [r.path for r in run.paths if not (r.shop.rps > 0 and r.bare.rps > 0)]
    if missing or not run.paths:
        print(f"No numbers for: {', '.join(missing) or 'any path'}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
