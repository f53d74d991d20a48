"""Who may call what: sessions with CSRF, bearer tokens without, 401s that stay JSON."""

import re
import time

import pytest
from flask import request
from flask.sessions import SecureCookieSessionInterface
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shop.accounts import services as accounts
from shop.errors import is_api_path
from tests.helpers import PASSWORD, csrf_token_from, log_in

PUBLIC_API = {("GET", path) for path in (
    "/orders/demo-cart", "/products", "/products/<int:product_id>", "/openapi.json",
    "/categories", "/categories/<int:category_id>", "/shipping-methods")}


def api_routes(app):
    for rule in app.url_map.iter_rules():
        if not is_api_path(rule.rule):
            continue
        if rule.endpoint.endswith("stripe_webhook"):
            continue  # authenticated by Stripe's signature, not by a user
        path = re.sub(r"<int:[a-z_]+>", "1", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if (method, rule.rule) not in PUBLIC_API:
                yield method, path


def test_every_private_json_path_answers_anonymous_callers_401_json(app, client):
    routes = list(api_routes(app))
    assert ("POST", "/orders/new") in routes and ("GET", "/orders") in routes
    for method, path in routes:
        response = client.open(path, method=method, json=[],
                               headers={"Accept": "text/html"})
        assert response.status_code == 401, (method, path, response.status_code)
        assert response.mimetype == "application/problem+json", (method, path)
        assert response.json["status"] == 401
        assert "Location" not in response.headers
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_unknown_json_paths_are_problem_404_and_pages_are_html(client):
    response = client.get("/orders/abc")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    page = client.get("/no-such-page")
    assert page.status_code == 404 and page.mimetype == "text/html"


def test_wrong_method_on_a_json_path_is_problem_405(client):
    response = client.delete("/orders/demo-cart")
    assert response.status_code == 405
    assert response.mimetype == "application/problem+json"
    assert "GET" in response.headers["Allow"]


@pytest.mark.parametrize("header", ["Bearer nope", "Bearer ", "Bearer shop_" + "x" * 43])
def test_bad_bearer_tokens_are_401(client, shopper, header):
    response = client.get("/orders", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"


def test_a_revoked_token_stops_working(app, shopper):
    assert shopper.get("/orders").status_code == 200
    with app.app_context():
        user = accounts.user_by_email("shopper@example.com")
        accounts.revoke_token(user, user.tokens[0].id)
    assert shopper.get("/orders").status_code == 401


def test_tokens_are_stored_only_as_hashes(app, shopper):
    with app.app_context():
        user = accounts.user_by_email("shopper@example.com")
        stored = user.tokens[0]
        assert shopper.token not in (stored.token_hash, stored.prefix)
        assert len(stored.token_hash) == 64
        assert stored.last_used_at is None
    shopper.get("/orders")
    with app.app_context():
        assert accounts.user_by_email("shopper@example.com").tokens[0].last_used_at is not None


def test_bearer_requests_need_no_csrf_and_get_no_cookie(shopper, make_product):
    pid = make_product()
    response = shopper.post("/orders/new", json=[pid])
    assert response.status_code == 201
    assert "Set-Cookie" not in response.headers


def test_a_session_post_without_the_csrf_token_is_refused(client, make_user, make_product, app):
    pid = make_product()
    make_user("ann@example.com")
    log_in(client, "ann@example.com")
    refused = client.post("/orders/new", json=[pid])
    assert refused.status_code == 400
    assert refused.mimetype == "application/problem+json"
    assert "CSRF" in refused.json["detail"]
    assert client.get("/orders").json == []


def test_a_session_post_with_the_csrf_header_is_accepted(client, make_user, make_product):
    pid = make_product()
    make_user("ann@example.com")
    log_in(client, "ann@example.com")
    token = csrf_token_from(client)
    accepted = client.post("/orders/new", json=[pid], headers={"X-CSRFToken": token})
    assert accepted.status_code == 201
    assert [o["id"] for o in client.get("/orders").json] == [accepted.json["id"]]


def test_a_bearer_header_does_not_borrow_a_session(client, make_user, make_product):
    # A logged-in browser session plus a bad bearer token must not authenticate.
    make_user("ann@example.com")
    log_in(client, "ann@example.com")
    assert client.get("/orders").status_code == 200
    assert client.get("/orders", headers={"Authorization": "Bearer wrong"}).status_code == 401


def test_customers_get_403_on_staff_scope(shopper):
    assert shopper.get("/orders?scope=all").status_code == 403


@pytest.mark.parametrize("target,expected", [
    ("/account", "/account"),
    ("https://evil.example/", "/"),
    ("//evil.example/", "/"),
    ("/\\evil.example", "/"),
])
def test_login_follows_only_local_next(client, make_user, target, expected):
    make_user("ann@example.com")
    token = csrf_token_from(client)
    response = client.post("/login", query_string={"next": target},
                           data={"email": "ann@example.com", "password": PASSWORD,
                                 "csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_wrong_password_does_not_log_in(client, make_user):
    make_user("ann@example.com")
    token = csrf_token_from(client)
    response = client.post("/login", data={"email": "ann@example.com", "password": "nope",
                                           "csrf_token": token})
    assert response.status_code == 200
    assert "do not match" in response.get_data(as_text=True)
    assert client.get("/orders").status_code == 401


def test_pages_that_need_login_redirect_there(client):
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def session_cookie(client) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def test_small_session_cookies_are_not_compressed_and_large_ones_are(client, make_user):
    make_user("ann@example.com")
    log_in(client, "ann@example.com")
    csrf_token_from(client)
    assert not session_cookie(client).startswith(".")  # "." marks a compressed payload
    assert client.get("/account").status_code == 200
    with client.session_transaction() as session:
        session["note"] = "a long note " * 100
    assert session_cookie(client).startswith(".")
    with client.session_transaction() as session:
        assert session["note"] == "a long note " * 100
    assert client.get("/account").status_code == 200  # still the same login


def test_a_session_signed_with_a_retired_key_still_reads(app, client, make_user):
    make_user("ann@example.com")
    log_in(client, "ann@example.com")
    old_key = app.config["SECRET_KEY"]
    app.secret_key = app.config["SECRET_KEY"] = "a new secret key " * 3
    assert client.get("/account").status_code == 302  # signed with a key no longer known
    app.config["SECRET_KEY_FALLBACKS"] = [old_key]
    assert client.get("/account").status_code == 200


def open_session_with(app, cookie: str):
    """The session a request carrying this session cookie opens."""
    with app.test_request_context(headers={"Cookie": f"session={cookie}"}):
        return app.session_interface.open_session(app, request)


# Session contents as the shop and flask's tagged JSON keep them: nested dicts (the cart),
# lists, tuples, text and numbers.
SESSION_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-2**53, 2**53) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.tuples(inner, inner)
    | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=10)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(contents=st.dictionaries(st.text(min_size=1, max_size=10), SESSION_VALUES, max_size=4))
def test_a_kept_session_cookie_reads_as_flask_reads_it_and_each_request_gets_its_own(
        app, contents):
    serializer = app.session_interface.get_signing_serializer(app)
    cookie = serializer.dumps(contents)
    expected = SecureCookieSessionInterface().get_signing_serializer(app).loads(cookie)
    first = open_session_with(app, cookie)
    assert dict(first) == expected
    for value in first.values():  # a request changes what it got, in place
        if isinstance(value, dict | list):
            value.clear()
    first["added"] = 1
    again = open_session_with(app, cookie)  # the kept one
    assert dict(again) == expected and again is not first


def test_kept_session_cookies_age_and_forged_ones_are_never_kept(app, monkeypatch):
    serializer = app.session_interface.get_signing_serializer(app)
    cookie = serializer.dumps({"cart": {"1": 2}})
    assert dict(open_session_with(app, cookie)) == {"cart": {"1": 2}}
    lifetime = app.permanent_session_lifetime.total_seconds()
    later = time.time() + lifetime + 5
    monkeypatch.setattr(time, "time", lambda: later)
    assert dict(open_session_with(app, cookie)) == {}  # expired, though read before
    monkeypatch.undo()

    payload, _, signature = cookie.rpartition(".")
    forged = payload + "." + ("A" if signature[0] != "A" else "B") + signature[1:]
    assert dict(open_session_with(app, forged)) == {}
    read = app.extensions["shop.session_serializer"][2]
    assert forged not in read and cookie in read
