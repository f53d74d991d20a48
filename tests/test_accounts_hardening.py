"""Sessions that end on the server, one rule for new addresses, and safe redirect targets."""

import itertools
import re
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import pytest
from flask_wtf.csrf import generate_csrf
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from hypothesis.provisional import domains

from shop import demo
from shop.accounts import services
from shop.exceptions import InvalidInput
from shop.extensions import db
from tests.helpers import PASSWORD, csrf_token_from, log_in

FIXTURES_OK = settings(max_examples=25, deadline=None,
                       suppress_health_check=[HealthCheck.function_scoped_fixture])

ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
local_parts = st.from_regex(rf"{ATEXT}{{1,20}}(\.{ATEXT}{{1,10}})?", fullmatch=True)
special_domains = st.sampled_from(["shop.local", "shop.test", "localhost", "staff.intranet.local",
                                   "example.com", "Example.ORG"])
serial = itertools.count(1)  # keeps the addresses of different examples apart
addresses = st.tuples(local_parts, st.one_of(domains(max_length=60), special_domains))


def session_cookie(client) -> str:
    return client.get_cookie("session").value


def replay(app, cookie: str):
    """A fresh browser that carries a copy of a saved session cookie."""
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other


# --- sessions -------------------------------------------------------------------------------

def test_a_cookie_saved_before_logout_is_dead_afterwards(app, client, make_user):
    make_user("ann@example.com")
    log_in(client, "ann@example.com")
    saved = session_cookie(client)
    assert replay(app, saved).get("/orders").status_code == 200

    client.post("/logout", data={"csrf_token": csrf_token_from(client)})
    stolen = replay(app, saved)
    api = stolen.get("/orders")
    assert api.status_code == 401 and api.mimetype == "application/problem+json"
    page = stolen.get("/account")
    assert page.status_code == 302 and page.headers["Location"].startswith("/login")


def test_a_new_password_ends_sessions_made_with_the_old_one(app, client, make_user):
    user_id = make_user("ann@example.com")
    log_in(client, "ann@example.com")
    saved = session_cookie(client)
    with app.app_context():
        services.change_password(db.session.get(services.User, user_id), "a new long password")
    assert replay(app, saved).get("/orders").status_code == 401
    assert client.get("/account").status_code == 302
    log_in(client, "ann@example.com", "a new long password")
    assert client.get("/account").status_code == 200


def test_logging_in_gives_a_new_csrf_token(client, make_user):
    make_user("ann@example.com")
    before = csrf_token_from(client)
    log_in(client, "ann@example.com")
    after = csrf_token_from(client)
    assert before != after
    # The token seen before logging in no longer passes.
    refused = client.post("/account", data={"name": "x", "csrf_token": before})
    assert refused.status_code == 400
    assert client.post("/account", data={"name": "x", "csrf_token": after}).status_code == 200


def test_a_session_keeps_one_signed_csrf_token_and_it_passes(client, make_user, monkeypatch):
    """Pages reuse the session's signed token (flask-wtf would sign it on every page); forms
    built by flask-wtf in the same request carry it too, and it passes."""
    from shop.accounts import auth

    make_user("ann@example.com")
    log_in(client, "ann@example.com")
    signed = []
    monkeypatch.setattr(auth, "generate_csrf", lambda: signed.append(1) or generate_csrf())
    first = csrf_token_from(client)  # the login's new raw token, made and signed
    account = client.get("/account").get_data(as_text=True)
    assert csrf_token_from(client) == first
    assert f'name="csrf_token" type="hidden" value="{first}"' in account  # a FlaskForm's field
    assert len(signed) == 1
    assert client.post("/account", data={"name": "x", "csrf_token": first}).status_code == 200


def test_with_a_csrf_time_limit_every_page_signs_its_token_again(app, client, monkeypatch):
    from shop.accounts import auth

    app.config["WTF_CSRF_TIME_LIMIT"] = 3600
    signed = []
    monkeypatch.setattr(auth, "generate_csrf", lambda: signed.append(1) or generate_csrf())
    csrf_token_from(client)
    csrf_token_from(client)
    assert len(signed) == 2


def test_unknown_and_known_emails_cost_one_password_hash_each(app, make_user, monkeypatch):
    make_user("ann@example.com")
    checked = []
    real_check = services.check_password_hash

    def counting(pwhash, password):
        checked.append(pwhash.split("$", 1)[0])
        return real_check(pwhash, password)

    monkeypatch.setattr(services, "check_password_hash", counting)
    with app.app_context():
        assert services.authenticate("ann@example.com", "wrong password") is None
        assert services.authenticate("nobody@example.com", "wrong password") is None
        assert services.authenticate("ann@example.com", PASSWORD) is not None
    method = app.config["PASSWORD_HASH_METHOD"]
    assert checked == [method, method, method]


# --- one rule for new addresses; login looks up, never judges --------------------------------

def test_the_cli_makes_special_use_addresses_that_can_log_in(app, runner):
    result = runner.invoke(args=["shop", "create-user", "staff@shop.local", "--staff",
                                 "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    client = app.test_client()
    log_in(client, "Staff@Shop.Local")
    assert client.get("/staff/orders").status_code == 200


def test_the_one_rule_refuses_what_is_not_an_address(app, runner, client):
    for bad in ("no-at-sign", "a@", "@b.com", "a b@c.com", "a@b..com", "x" * 250 + "@b.com"):
        with app.app_context(), pytest.raises(InvalidInput):
            services.check_new_email(bad)
        result = runner.invoke(args=["shop", "create-user", bad, "--password", PASSWORD])
        assert result.exit_code != 0
        page = client.post("/register", data={"email": bad, "password": PASSWORD,
                                              "confirm": PASSWORD,
                                              "csrf_token": csrf_token_from(client)})
        assert page.status_code == 400


def test_login_with_an_address_nobody_has_is_a_plain_refusal(client):
    for email in ("nobody@shop.local", "not an address", "x@localhost"):
        response = client.post("/login", data={"email": email, "password": PASSWORD,
                                               "csrf_token": csrf_token_from(client)})
        assert response.status_code == 200
        assert "do not match an account" in response.get_data(as_text=True)


@FIXTURES_OK
@given(email=st.text(max_size=300), password=st.text(max_size=50))
@example(email="a\x00b@example.com", password="x")  # PostgreSQL refuses NUL in text
def test_any_login_form_gets_an_answer_never_an_error(client, email, password):
    response = client.post("/login", data={"email": email, "password": password,
                                           "csrf_token": csrf_token_from(client)})
    assert response.status_code in {200, 400}


@FIXTURES_OK
@given(address=addresses, shout=st.booleans())
def test_every_way_a_user_comes_to_exist_can_log_in(app, runner, address, shout):
    local, domain = address
    email = f"{local}@{domain}"
    with app.app_context():
        try:
            services.check_new_email(email)
        except InvalidInput:
            assume(False)
    typed = email.upper() if shout else email
    counter = next(serial)

    # 1. the CLI
    cli_email = f"cli{counter}.{email}"
    result = runner.invoke(args=["shop", "create-user", cli_email, "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    log_in(app.test_client(), cli_email.upper() if shout else cli_email)

    # 2. the register page
    page_email = f"page{counter}.{email}"
    browser = app.test_client()
    registered = browser.post("/register", data={"email": page_email, "password": PASSWORD,
                                                 "confirm": PASSWORD,
                                                 "csrf_token": csrf_token_from(browser)})
    assert registered.status_code == 302, registered.get_data(as_text=True)
    log_in(app.test_client(), page_email.upper() if shout else page_email)

    # 3. the service the tests' helpers and the demo use
    with app.app_context():
        services.create_user(f"svc{counter}.{email}", PASSWORD)
    log_in(app.test_client(), f"svc{counter}.{typed}")


def test_the_demo_users_can_log_in(app):
    with app.app_context():
        demo.seed(app.config)
    for email, password in (demo.DEMO_SHOPPER, demo.DEMO_STAFF):
        log_in(app.test_client(), email, password)


# --- redirect targets -----------------------------------------------------------------------

def looks_safe(target: str) -> bool:
    """Independent of the shop's check: a same-site path a browser reads the same way."""
    return (target.startswith("/") and not target.startswith("//") and "\\" not in target
            and all(33 <= ord(ch) <= 126 for ch in target))


@pytest.fixture
def logged_in(client, make_user):
    make_user("ann@example.com")
    log_in(client, "ann@example.com")
    return client


def test_the_reported_header_injection_goes_home(logged_in, client, make_product):
    assert logged_in.get("/login?next=/%0D%0AX:1").headers["Location"] == "/"
    mug = make_product()
    response = client.post("/cart/add", data={"product_id": mug, "quantity": 1,
                                              "next": "/\r\nX:1",
                                              "csrf_token": csrf_token_from(client)})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "X" not in response.headers


def same_place(location: str, target: str) -> bool:
    """Whether a Location header leads where `target` does (an empty ? or # changes nothing)."""
    return urlunsplit(urlsplit(unquote(location))) == urlunsplit(urlsplit(unquote(target)))


@FIXTURES_OK
@example(target="/{")
@example(target="/?")
@given(target=st.one_of(st.text(max_size=40), st.text(max_size=40).map(lambda t: "/" + t),
                        st.sampled_from(["//evil.example", "/\\evil.example", "https://e.x/",
                                         "/ok/path?x=1", "/%0D%0A", "javascript:alert(1)"])))
def test_login_and_cart_follow_only_safe_targets(logged_in, make_product, target):
    login = logged_in.get("/login?next=" + quote(target, safe=""))
    assert login.status_code == 302
    # werkzeug may percent-encode a character such as "{" in Location, or drop an empty "?":
    # the place is the same.
    assert same_place(login.headers["Location"], target if looks_safe(target) else "/")
    cart = logged_in.post("/cart/add", data={"product_id": "1", "quantity": "1",
                                             "next": target,
                                             "csrf_token": csrf_token_from(logged_in)})
    assert cart.status_code == 302
    expected = "/cart" if target == "" else target if looks_safe(target) else "/"
    assert same_place(cart.headers["Location"], expected)
    assert re.fullmatch(r"[!-~]+", cart.headers["Location"])
