"""Helpers the tests import: configuration, skipping on missing services, API and login helpers.

Fixtures live in conftest.py; everything a test module imports by name lives here.
"""

import os
import re
import tempfile
import time
import urllib.request

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
TEST_DATABASE_URL = os.environ.get("SHOP_TEST_DATABASE_URL")
# Redis for the tests that share limits or a cache across processes: a database of their own.
REDIS_URL = os.environ.get("SHOP_TEST_REDIS_URL", "redis://127.0.0.1:6379/3")
PASSWORD = "correct horse battery"
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "artifacts")

# The database of this test session: SHOP_TEST_DATABASE_URL, or a SQLite file that conftest's
# session fixture creates once (the schema is built once per session, not once per test).
session_database_url: str | None = None


def need(condition: bool, reason: str) -> None:
    """Skip when a service is missing, except in CI, where a missing service is a failure."""
    if not condition:
        if IN_CI:
            pytest.fail(f"CI needs this: {reason}")
        pytest.skip(reason)


def on_postgres() -> bool:
    return bool(TEST_DATABASE_URL and TEST_DATABASE_URL.startswith("postgres"))


def test_config(tmp_path=None, **extra) -> dict:
    """The app's test configuration on the session's database; `extra` overrides keys.

    `tmp_path` is accepted for older callers and only used when no session database exists
    (a helper called outside pytest's session)."""
    from shop.config import normalise_database_url

    url = session_database_url or TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'test.sqlite'}"
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
        "MAIL_FILE_DIR": str(tmp_path / "mail") if tmp_path is not None
        else os.path.join(tempfile.gettempdir(), "shop-test-mail"),
        "SHOP_STAFF_EMAIL": None,
        "SHOP_BASE_URL": "http://shop.test",
    }
    config.update(extra)
    return config


test_config.__test__ = False  # a helper, not a test, wherever it is imported


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


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on now."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_server(url: str, log) -> None:
    """Wait until `url` answers 200, or fail the test with the server's output (`log`, the
    open file it writes to). A busy machine imports slowly: two minutes at the most."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    log.flush()
    log.seek(0)
    pytest.fail(f"the server at {url} did not start: " + log.read())
