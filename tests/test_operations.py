"""Running it: the database going away, /healthz, and logs a machine (or a person) can read."""

import json
import logging
import socket
from types import SimpleNamespace

import pytest
from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError

from shop import create_app
from shop import database as shop_database
from shop.extensions import db
from tests.helpers import need, on_postgres, test_config


def closed_port() -> int:
    """A local port nothing listens on: connections to it are refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def unreachable_app(tmp_path):
    url = f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/shop"
    app = create_app(test_config(tmp_path, SQLALCHEMY_DATABASE_URI=url))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_healthz_answers_ok_while_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_an_unreachable_database_is_a_503_with_retry_after(unreachable_app, caplog):
    client = unreachable_app.test_client()
    with caplog.at_level(logging.CRITICAL, logger="shop.errors"):
        health = client.get("/healthz")
        api = client.get("/orders", headers={"Authorization": "Bearer shop_whatever"})
        products = client.get("/products")
        page = client.get("/")
        with client.session_transaction() as session:
            session["_user_id"] = "1:1"
        logged_in_page = client.get("/account")
    for response in (health, api, products):
        assert response.status_code == 503, response.get_data(as_text=True)
        assert response.mimetype == "application/problem+json"
        assert response.json["status"] == 503
        assert int(response.headers["Retry-After"]) > 0
    for response in (page, logged_in_page):
        assert response.status_code == 503
        assert response.mimetype == "text/html"
        assert int(response.headers["Retry-After"]) > 0
        html = response.get_data(as_text=True)
        assert "<title>Back in a moment · Kitchen &amp; Table</title>" in html


def test_the_engine_hides_parameters_and_leaves_pings_to_the_shop(app):
    with app.app_context():
        assert db.engine.hide_parameters is True
        assert db.engine.pool._pre_ping is False  # shop.database.check_idle_connections


class Clock:
    """shop.database's view of time.monotonic, moved by the test."""

    def __init__(self, monkeypatch):
        self.now = 1000.0
        monkeypatch.setattr(shop_database, "time", SimpleNamespace(monotonic=lambda: self.now))


@pytest.fixture
def server_engine(database, monkeypatch):
    """An engine of its own on the test server (PostgreSQL), one connection in its pool, its
    pings counted."""
    need(on_postgres(), "pinging a database server's connections needs PostgreSQL")
    url = test_config()["SQLALCHEMY_DATABASE_URI"]
    engine = create_engine(url, pool_size=1, max_overflow=0)
    clock = Clock(monkeypatch)
    shop_database.check_idle_connections(engine, after_idle=1.0)
    pings: list[int] = []
    real_ping = engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda c: pings.append(1) or real_ping(c))
    yield engine, clock, pings
    engine.dispose()


def backend_pid(engine) -> int:
    with engine.connect() as connection:
        return connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()


def drop_on_the_server(pid: int) -> None:
    """End a connection from the server's side, as a restart or an idle timeout would."""
    other = create_engine(test_config()["SQLALCHEMY_DATABASE_URI"])
    try:
        with other.connect() as connection:
            connection.exec_driver_sql(f"SELECT pg_terminate_backend({pid})")
    finally:
        other.dispose()


@pytest.mark.postgres
def test_a_connection_used_a_moment_ago_is_handed_out_unpinged_and_an_idle_one_pinged(
        server_engine):
    engine, clock, pings = server_engine
    first = backend_pid(engine)  # a new connection: just made, not pinged
    clock.now += 0.5
    assert backend_pid(engine) == first and pings == []
    clock.now += 5
    assert backend_pid(engine) == first and pings == [1]  # idle: pinged, and it answered
    assert backend_pid(engine) == first and pings == [1]


@pytest.mark.postgres
def test_an_idle_connection_the_server_dropped_is_replaced_before_use(server_engine):
    engine, clock, pings = server_engine
    dropped = backend_pid(engine)
    drop_on_the_server(dropped)
    clock.now += 5
    replaced = backend_pid(engine)  # the ping failed; the pool connected again
    assert replaced != dropped and pings == [1]

    # The risk taken: one dropped within a second of its last use is handed out unchecked,
    # fails the statement, and makes the pool connect afresh for the next one.
    drop_on_the_server(replaced)
    with pytest.raises(OperationalError):
        backend_pid(engine)
    assert backend_pid(engine) not in (dropped, replaced)


# --- logs ---------------------------------------------------------------------------------

def place_an_order(api, make_product, **headers):
    mug = make_product(price=1250)
    return api.post("/orders/new", json=[{"id": mug, "quantity": 2}], headers=headers)


def test_an_order_placement_logs_its_fields_and_the_request_id(shopper, make_product, caplog):
    caplog.set_level(logging.INFO)
    response = place_an_order(shopper, make_product, **{"X-Request-ID": "checkout-42"})
    assert response.status_code == 201
    assert response.headers["X-Request-ID"] == "checkout-42"

    placed = [r for r in caplog.records if r.getMessage() == "order placed"]
    assert len(placed) == 1
    assert placed[0].order_id == response.json["id"]
    assert placed[0].amount == 2500
    assert placed[0].http_request_id == "checkout-42"

    access = [r for r in caplog.records if r.name == "shop.access"]
    assert len(access) == 1
    line = access[0]
    assert (line.method, line.path, line.status) == ("POST", "/orders/new", 201)
    assert line.duration_ms >= 0 and line.http_request_id == "checkout-42"


def test_an_insane_request_id_is_replaced(client, caplog):
    caplog.set_level(logging.INFO)
    for given in ("two words", "x" * 500, "semi;colon", ""):
        response = client.get("/", headers={"X-Request-ID": given})
        made = response.headers["X-Request-ID"]
        assert made != given and len(made) == 32
        assert caplog.records[-1].http_request_id == made
    assert client.get("/").headers["X-Request-ID"] != client.get("/").headers["X-Request-ID"]


def test_a_callers_own_request_id_field_is_kept_beside_the_http_one(app, caplog):
    caplog.set_level(logging.INFO)
    with app.test_request_context("/", headers={"X-Request-ID": "http-7"}):
        logging.getLogger("shop.payments").warning("provider failed",
                                                   extra={"request_id": "req_stripe_1"})
    record = caplog.records[-1]
    assert (record.request_id, record.http_request_id) == ("req_stripe_1", "http-7")


def test_text_logs_keep_the_extra_fields(shopper, make_product, capsys):
    place_an_order(shopper, make_product, **{"X-Request-ID": "text-1"})
    lines = capsys.readouterr().err.splitlines()
    placed = next(line for line in lines if "order placed" in line)
    assert "[text-1]" in placed and "amount=2500" in placed and "order_id=" in placed
    access = next(line for line in lines if "shop.access" in line)
    assert "POST /orders/new 201" in access and "duration_ms=" in access


def test_json_logs_are_one_object_per_line(tmp_path, capsys):
    app = create_app(test_config(tmp_path, LOG_FORMAT="json"))
    with app.app_context():
        db.create_all()
    app.test_client().get("/products", headers={"X-Request-ID": "json-1"})
    with app.app_context():
        db.engine.dispose()
    records = [json.loads(line) for line in capsys.readouterr().err.splitlines()
               if line.startswith("{")]
    access = next(r for r in records if r["logger"] == "shop.access")
    assert access["http_request_id"] == "json-1"
    assert (access["method"], access["path"], access["status"]) == ("GET", "/products", 200)
    assert isinstance(access["duration_ms"], float)
