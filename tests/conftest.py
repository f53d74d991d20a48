"""Fixtures shared by the whole suite: the app on a fresh database, clients, users, products.

The suite runs on SQLite by default and on PostgreSQL when SHOP_TEST_DATABASE_URL is set.
A test that needs a service the machine lacks is skipped locally and fails in CI (CI=true).
"""

import os
import re
from datetime import timedelta

import pytest
from sqlalchemy import event, update

from shop import create_app
from shop.accounts import services as accounts
from shop.accounts.models import Role
from shop.catalog.models import Product
from shop.config import normalise_database_url
from shop.database import utcnow
from shop.extensions import db
from shop.orders.models import Order

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
TEST_DATABASE_URL = os.environ.get("SHOP_TEST_DATABASE_URL")
PASSWORD = "correct horse battery"


def need(condition: bool, reason: str) -> None:
    """Skip when a service is missing, except in CI, where a missing service is a failure."""
    if not condition:
        if IN_CI:
            pytest.fail(f"CI needs this: {reason}")
        pytest.skip(reason)


def test_config(tmp_path, **extra) -> dict:
    url = TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'test.sqlite'}"
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(url),
        # A cheap hash keeps the suite fast; production uses scrypt.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "RATELIMIT_ENABLED": False,
        "STRIPE_SECRET_KEY": None,
        "STRIPE_PUBLISHABLE_KEY": None,
        "STRIPE_WEBHOOK_SECRET": None,
        "STRIPE_API_BASE": None,
        "SHOP_CURRENCY": "usd",
        # Mail stays in the outbox unless a test delivers it (tests/mail_server.py).
        "MAIL_DELIVER_AFTER_COMMIT": False,
        "MAIL_SERVER": None,
        "MAIL_FILE_DIR": str(tmp_path / "mail"),
        "SHOP_STAFF_EMAIL": None,
        "SHOP_BASE_URL": "http://shop.test",
    }
    config.update(extra)
    return config


test_config.__test__ = False  # a helper, not a test, wherever it is imported


def fresh_schema(app) -> None:
    """Drop and create every table, with the rows a fresh install has (as the migrations do)."""
    from shop.shipping.services import install_default_methods

    with app.app_context():
        db.drop_all()
        db.create_all()
        install_default_methods()


@pytest.fixture
def app_config(tmp_path) -> dict:
    """The configuration `app` is built with; override this fixture to change it."""
    return test_config(tmp_path)


@pytest.fixture
def app(app_config):
    app = create_app(app_config)
    fresh_schema(app)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    """Create a user: make_user("a@example.com", staff=True)."""

    def make(email: str, *, staff: bool = False):
        with app.app_context():
            user = accounts.create_user(email, PASSWORD, Role.STAFF if staff else Role.CUSTOMER)
            return user.id

    return make


@pytest.fixture
def make_product(app):
    """Create a product and return its id."""

    def make(name="Mug", price=1000, stock=100, active=True, description="A product."):
        with app.app_context():
            product = Product(name=name, price_in_cents=price, stock=stock, active=active,
                              description=description, image_url=None)
            db.session.add(product)
            db.session.commit()
            return product.id

    return make


@pytest.fixture
def age(app):
    """Make an order look as if it was placed `hours` ago."""

    def make_older(order_id: int, hours: float) -> None:
        with app.app_context():
            db.session.execute(update(Order).where(Order.id == order_id)
                               .values(created_at=utcnow() - timedelta(hours=hours)))
            db.session.commit()

    return make_older


class ApiClient:
    """A test client that calls the JSON API as a script would, with a bearer token."""

    def __init__(self, client, token: str, user_id: int):
        self.client = client
        self.token = token
        self.user_id = user_id

    def _headers(self, headers):
        return {"Authorization": f"Bearer {self.token}", **(headers or {})}

    def get(self, path, headers=None, **kw):
        return self.client.get(path, headers=self._headers(headers), **kw)

    def post(self, path, json=None, headers=None, **kw):
        return self.client.post(path, json=json, headers=self._headers(headers), **kw)

    def put(self, path, json=None, headers=None, **kw):
        return self.client.put(path, json=json, headers=self._headers(headers), **kw)

    def patch(self, path, json=None, headers=None, **kw):
        return self.client.patch(path, json=json, headers=self._headers(headers), **kw)

    def delete(self, path, headers=None, **kw):
        return self.client.delete(path, headers=self._headers(headers), **kw)


@pytest.fixture
def api_as(app, make_user):
    """An ApiClient for a new user: api_as("a@example.com", staff=False)."""

    def make(email: str, *, staff: bool = False) -> ApiClient:
        user_id = make_user(email, staff=staff)
        with app.app_context():
            user = accounts.user_by_email(email)
            _, token = accounts.create_token(user, "tests")
        return ApiClient(app.test_client(), token, user_id)

    return make


@pytest.fixture
def shopper(api_as) -> ApiClient:
    return api_as("shopper@example.com")


@pytest.fixture
def staff(api_as) -> ApiClient:
    return api_as("staff@example.com", staff=True)


def csrf_token_from(client) -> str:
    """The CSRF token a page hands its JavaScript in <meta name="csrf-token">."""
    html = client.get("/").get_data(as_text=True)
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', html)
    assert match, "the page carries no csrf-token meta tag"
    return match.group(1)


def log_in(client, email: str, password: str = PASSWORD):
    """Log in through the login page, as a browser does."""
    token = csrf_token_from(client)
    response = client.post("/login", data={"email": email, "password": password,
                                           "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


@pytest.fixture
def count_queries(app):
    """Count the SQL statements run inside a `with count_queries() as counted:` block."""
    from contextlib import contextmanager

    @contextmanager
    def counting():
        statements: list[str] = []

        def record(conn, cursor, statement, *args):
            statements.append(statement)

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            event.remove(engine, "before_cursor_execute", record)

    return counting


# --- A live server and real Chromium, for browser tests and for webhooks from localstripe ---

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "artifacts")


@pytest.fixture
def live_server(app):
    """The app served over HTTP on a free port of 127.0.0.1, in a thread of this process."""
    import threading
    from types import SimpleNamespace

    from werkzeug.serving import make_server

    def buffered(environ, start_response):
        # werkzeug's server skips closing a response when the browser drops the connection
        # (a navigation cancels an image load), leaving a static file open: a ResourceWarning,
        # which filterwarnings=error turns into a random failure. Close every body here.
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()

    server = make_server("127.0.0.1", 0, buffered, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield SimpleNamespace(url=f"http://127.0.0.1:{server.server_port}", app=app)
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Drive Debian's Chromium: Playwright cannot download its own browser here."""
    need(os.path.exists(CHROMIUM), f"browser tests need Chromium at {CHROMIUM}")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"],
    }


@pytest.fixture
def screenshot(request):
    """Save a page's screenshot as artifacts/<test name>-<label>.png (git-ignored)."""

    def take(page, label: str = "last") -> str:
        os.makedirs(ARTIFACTS, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
        path = os.path.join(ARTIFACTS, f"{name}-{label}.png")
        page.screenshot(path=path, full_page=True)
        return path

    return take


@pytest.fixture
def mail_server():
    """A real SMTP server (aiosmtpd) on 127.0.0.1; pair it with `app_config` to send there."""
    from tests.mail_server import MailServer

    server = MailServer()
    server.start()
    yield server
    server.stop()
