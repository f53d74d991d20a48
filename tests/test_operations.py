"""Running it: the database going away, /healthz, and logs a machine (or a person) can read."""

import json
import logging
import socket

import pytest

from shop import create_app
from shop.extensions import db
from tests.helpers import test_config


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


def test_the_engine_checks_connections_and_hides_parameters(app):
    with app.app_context():
        # A server's connection may have dropped since its last use; a SQLite file's cannot.
        assert db.engine.pool._pre_ping is (db.engine.dialect.name != "sqlite")
        assert db.engine.hide_parameters is True


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
