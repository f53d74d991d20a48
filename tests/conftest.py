"""Fixtures shared by the whole suite: the app, clients, users, products, a live server.

The suite runs on SQLite by default and on PostgreSQL when SHOP_TEST_DATABASE_URL is set.
The schema is built once per session. An ordinary test runs inside one transaction on one
connection that is rolled back at its end: the app's sessions join it through SAVEPOINTs
(SQLAlchemy's "create_savepoint" mode), so their commits are real to the app and vanish after.
A test whose work must really commit (a live server in another thread, concurrent
transactions) is marked `real_commits` (or uses `live_server`, which implies it): it gets the
database as it is and every table is emptied afterwards.

Helpers a test imports by name are in tests/helpers.py, not here.
A test that needs a service the machine lacks is skipped locally and fails in CI (CI=true).
"""

import os
import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, text, update

from shop import create_app
from shop.accounts import services as accounts
from shop.accounts.models import Role
from shop.catalog.models import Product
from shop.database import ShopSession, utcnow
from shop.extensions import db
from shop.orders.models import Order
from shop.shipping.services import install_default_methods
from tests import helpers
from tests.helpers import (  # noqa: F401  (the fixtures below use most of these)
    ARTIFACTS,
    CHROMIUM,
    IN_CI,
    PASSWORD,
    REDIS_URL,
    TEST_DATABASE_URL,
    ApiClient,
    csrf_token_from,
    log_in,
    need,
    test_config,
)


def pytest_collection_modifyitems(config, items):
    """Everything under tests/browser and tests/stripe belongs to its tier (bin/test runs
    those tiers once per CI run), marked or not."""
    for item in items:
        parts = item.path.parts
        if "browser" in parts and "tests" in parts:
            item.add_marker(pytest.mark.browser)
        if "stripe" in parts and "tests" in parts:
            item.add_marker(pytest.mark.stripe)


def _sqlite_savepoints_work(engine) -> None:
    """pysqlite begins transactions on its own and mishandles SAVEPOINT; let SQLAlchemy
    emit BEGIN itself (SQLAlchemy's documented recipe), on the test engine only."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def no_pysqlite_transactions(dbapi_connection, record):
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def begin(connection):
        connection.exec_driver_sql("BEGIN")


@pytest.fixture(scope="session")
def database(tmp_path_factory):
    """The session's database with the models' schema, built once."""
    helpers.session_database_url = (
        TEST_DATABASE_URL or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}")
    app = create_app(test_config())
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        db.create_all()
        db.session.remove()
        db.engine.dispose()
    yield helpers.session_database_url
    helpers.session_database_url = None


def empty_tables() -> None:
    """Delete every row (and restart ids) after a test that committed for real."""
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        else:
            for table in tables:
                conn.execute(table.delete())
            if conn.exec_driver_sql("SELECT name FROM sqlite_master "
                                    "WHERE name = 'sqlite_sequence'").first():
                conn.execute(text("DELETE FROM sqlite_sequence"))


def commits_for_real(request) -> bool:
    return (request.node.get_closest_marker("real_commits") is not None
            or "live_server" in request.fixturenames)


@pytest.fixture
def app_config(request, database) -> dict:
    """The configuration `app` is built with; override this fixture, or parametrize it
    indirectly with a dict of settings, to change it."""
    return test_config(**getattr(request, "param", {}))


@pytest.fixture
def app(request, database, app_config):
    """The app on the session's database: in a rolled-back transaction, or committing for
    real (and emptied afterwards) for `real_commits` tests."""
    app = create_app(app_config)
    if commits_for_real(request):
        with app.app_context():
            install_default_methods()
        yield app
        with app.app_context():
            db.session.remove()
            empty_tables()
            db.engine.dispose()
        return

    with app.app_context():
        engine = db.engine
    _sqlite_savepoints_work(engine)
    connection = engine.connect()
    outer = connection.begin()
    if connection.dialect.name == "postgresql":
        # Deferred triggers (users.orders_version's) run when a transaction commits, and this
        # one never does: run them at the end of each statement instead.
        connection.exec_driver_sql("SET CONSTRAINTS ALL IMMEDIATE")

    class JoinedSession(ShopSession):
        """Every session of the test, of this app or another one the test builds, joins
        the test's connection; its commits and rollbacks become SAVEPOINT operations.
        Reads outside the session (shop.database.first_row) find the connection as `bind`."""

        def get_bind(self, *args, **kwargs):
            return connection

    app_session = db.session
    db.session = db._make_scoped_session(
        {"class_": JoinedSession, "bind": connection, "join_transaction_mode": "create_savepoint"})
    try:
        with app.app_context():
            install_default_methods()
        yield app
    finally:
        with app.app_context():
            db.session.remove()
        db.session = app_session
        outer.rollback()
        connection.close()
        engine.dispose()


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


# The test's own transaction control (SAVEPOINT, RELEASE, ROLLBACK TO): in production these
# are the BEGIN and COMMIT that no query count includes.
_HARNESS_STATEMENT = re.compile(r"^\s*(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT)\b",
                                re.IGNORECASE)


@pytest.fixture
def count_queries(app):
    """Count the SQL statements run inside a `with count_queries() as counted:` block."""

    @contextmanager
    def counting():
        statements: list[str] = []

        def record(conn, cursor, statement, *args):
            if not _HARNESS_STATEMENT.match(statement):
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


@pytest.fixture
def logged_in_as(app, live_server, context):
    """Log the browser in without the login form: logged_in_as("a@example.com").

    For browser tests that are not about logging in. The session cookie is made by the app's
    own session interface after Flask-Login's login_user, exactly what /login would set."""
    from flask import session
    from flask_login import login_user

    def log_in_browser(email: str) -> None:
        with app.test_request_context("/"):
            login_user(accounts.user_by_email(email))
            value = app.session_interface.get_signing_serializer(app).dumps(dict(session))
            db.session.remove()
        context.add_cookies([{"name": app.config["SESSION_COOKIE_NAME"], "value": value,
                              "url": live_server.url, "httpOnly": True, "sameSite": "Lax"}])

    return log_in_browser


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


@pytest.fixture
def courier(app):
    """The app's background mail sender (a live server's too): courier.join() returns once it
    has finished, and the test waits for it before the database goes."""
    yield app.extensions["shop.mail_courier"]
    app.extensions["shop.mail_courier"].join()


@pytest.fixture
def redis_url():
    """The tests' own Redis database, emptied before and after: limits and the cache shared
    by several processes live there."""
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        client.close()
        need(False, f"this test shares state between processes through Redis at {REDIS_URL}")
    client.flushdb()
    yield REDIS_URL
    client.flushdb()
    client.close()
