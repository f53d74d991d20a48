"""Forgotten passwords (a link by mail), changing a password, saved addresses on /account."""

import re
import time

import pytest
from itsdangerous import TimestampSigner
from sqlalchemy import select

from shop.accounts import passwords
from shop.accounts import services as accounts
from shop.extensions import db
from shop.mail.models import OutboxMessage
from tests.helpers import PASSWORD, csrf_token_from, log_in

NEW_PASSWORD = "a brand new passphrase"


def outbox(app) -> list[OutboxMessage]:
    with app.app_context():
        rows = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        db.session.expunge_all()
        db.session.remove()
        return rows


def ask_for_reset(client, email: str):
    return client.post("/password/forgot", data={"email": email,
                                                 "csrf_token": csrf_token_from(client)})


def reset_link(app) -> str:
    [mail] = [m for m in outbox(app) if m.kind == "password-reset"][-1:]
    return re.search(r"http://shop\.test(/password/reset/\S+)", mail.text_body).group(1)


def logs_in(app, email: str, password: str) -> bool:
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": password,
                                           "csrf_token": csrf_token_from(client)})
    return response.status_code == 302


def test_login_and_register_pages_link_to_the_forgotten_password_page(client):
    for path in ("/login", "/register"):
        assert '<a href="/password/forgot">Forgot your password?</a>' in client.get(
            path).get_data(as_text=True)
    page = client.get("/password/forgot").get_data(as_text=True)
    assert '<label for="email">Email</label>' in page


def test_the_forgot_page_answers_the_same_whether_or_not_the_account_exists(app, client,
                                                                            make_user):
    make_user("ann@example.com")
    known = ask_for_reset(client, "ann@example.com")
    unknown = ask_for_reset(client, "nobody@example.com")
    assert known.status_code == unknown.status_code == 200
    assert known.get_data(as_text=True).replace("ann@example.com", "X") == \
        unknown.get_data(as_text=True).replace("nobody@example.com", "X")
    [mail] = outbox(app)
    assert mail.recipient == "ann@example.com" and mail.subject == "Reset your password"
    assert "/password/reset/" in mail.html_body


def test_a_reset_link_sets_a_new_password_once(app, client, make_user):
    make_user("ann@example.com")
    ask_for_reset(client, "ann@example.com")
    link = reset_link(app)
    page = client.get(link)
    assert page.status_code == 200 and "ann@example.com" in page.get_data(as_text=True)
    mismatch = client.post(link, data={"password": NEW_PASSWORD, "confirm": "other one!",
                                       "csrf_token": csrf_token_from(client)})
    assert mismatch.status_code == 400 and "not the same" in mismatch.get_data(as_text=True)
    done = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD,
                                   "csrf_token": csrf_token_from(client)})
    assert done.status_code == 302 and done.headers["Location"] == "/login"
    assert logs_in(app, "ann@example.com", NEW_PASSWORD)
    assert not logs_in(app, "ann@example.com", PASSWORD)

    again = client.get(link)  # single use: the password it was made for is gone
    assert again.status_code == 400
    assert "already used" in again.get_data(as_text=True)
    replay = client.post(link, data={"password": "yet another one", "confirm": "yet another one",
                                     "csrf_token": csrf_token_from(client)})
    assert replay.status_code == 400
    assert logs_in(app, "ann@example.com", NEW_PASSWORD)


def test_a_link_dies_when_the_password_changes_another_way(app, client, make_user):
    make_user("ann@example.com")
    ask_for_reset(client, "ann@example.com")
    link = reset_link(app)
    with app.app_context():
        user = accounts.user_by_email("ann@example.com")
        passwords.change_password(user, PASSWORD, NEW_PASSWORD)
    assert client.get(link).status_code == 400


def test_an_expired_link_gets_a_clear_page(app, client, make_user, monkeypatch):
    make_user("ann@example.com")
    with app.app_context():
        monkeypatch.setattr(TimestampSigner, "get_timestamp",
                            lambda self: int(time.time()) - passwords.RESET_MAX_AGE - 5)
        token = passwords.reset_token(accounts.user_by_email("ann@example.com"))
        monkeypatch.undo()
    page = client.get(f"/password/reset/{token}")
    assert page.status_code == 400
    assert "has expired" in page.get_data(as_text=True)
    assert 'data-reset-problem="expired"' in page.get_data(as_text=True)


@pytest.mark.parametrize("tamper", [
    lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),
    lambda t: "x" + t,
    lambda t: "not-a-token",
    lambda t: "%E2%80%AE" + t,
    lambda t: t.split(".")[0],
])
def test_a_tampered_link_gets_a_clear_page_never_a_500(app, client, make_user, tamper):
    make_user("ann@example.com")
    ask_for_reset(client, "ann@example.com")
    token = reset_link(app).rsplit("/", 1)[1]
    page = client.get(f"/password/reset/{tamper(token)}")
    assert page.status_code in (400, 404)
    if page.status_code == 400:
        assert "This link cannot be used" in page.get_data(as_text=True)
    post = client.post(f"/password/reset/{tamper(token)}",
                       data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD,
                             "csrf_token": csrf_token_from(client)})
    assert post.status_code in (400, 404)
    assert logs_in(app, "ann@example.com", PASSWORD)


def test_a_token_for_a_user_that_is_gone_is_refused(app, client, make_user):
    with app.app_context():
        from shop.accounts.passwords import _serializer

        token = _serializer().dumps({"user": 999, "password": "x"})
        odd = _serializer().dumps({"user": 2**40, "password": "x"})
        listed = _serializer().dumps(["user"])
    for bad in (token, odd, listed):
        assert client.get(f"/password/reset/{bad}").status_code == 400


def test_changing_the_password_needs_the_current_one(app, client, make_user):
    make_user("ann@example.com")
    log_in(client, "ann@example.com")
    page = client.get("/account").get_data(as_text=True)
    for label in ("Current password", "New password", "Repeat new password"):
        assert f">{label}</label>" in page
    assert 'id="tokens"' in page and "API tokens" in page and 'id="addresses"' in page
    wrong = client.post("/account/password", data={
        "current_password": "not it at all", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD,
        "csrf_token": csrf_token_from(client)}, follow_redirects=True)
    assert "Your current password is not right." in wrong.get_data(as_text=True)
    assert logs_in(app, "ann@example.com", PASSWORD)
    short = client.post("/account/password", data={
        "current_password": PASSWORD, "password": "short", "confirm": "short",
        "csrf_token": csrf_token_from(client)}, follow_redirects=True)
    assert "at least 8 characters" in short.get_data(as_text=True)
    done = client.post("/account/password", data={
        "current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD,
        "csrf_token": csrf_token_from(client)}, follow_redirects=True)
    assert "Your password is changed" in done.get_data(as_text=True)
    assert client.get("/account").status_code == 200  # this browser stays logged in
    assert logs_in(app, "ann@example.com", NEW_PASSWORD)
    assert not logs_in(app, "ann@example.com", PASSWORD)


def test_login_and_register_errors_are_plain(client, make_user):
    token = csrf_token_from(client)
    login = client.post("/login", data={"email": "", "password": "", "csrf_token": token})
    text = login.get_data(as_text=True)
    assert "Enter your email address." in text and "Enter your password." in text
    register = client.post("/register", data={"email": "ann@", "password": "short",
                                              "confirm": "other", "csrf_token": token})
    text = register.get_data(as_text=True)
    assert "does not look like an email address" in text
    assert "at least 8 characters" in text
    assert "This field is required" not in text


def test_saved_addresses_are_added_listed_and_deleted(app, client, make_user):
    make_user("ann@example.com")
    log_in(client, "ann@example.com")
    token = csrf_token_from(client)
    added = client.post("/account/addresses", data={
        "csrf_token": token, "name": "Ann Lee", "line1": "9 Elm St", "line2": "", "city":
        "Portland", "postalCode": "97201", "state": "OR", "country": "US", "phone": ""},
        follow_redirects=True)
    page = added.get_data(as_text=True)
    assert "Address of Ann Lee saved." in page and "97201 Portland, OR · United States" in page
    bad = client.post("/account/addresses", data={"csrf_token": token, "name": "X",
                                                  "country": "ZZ"}, follow_redirects=True)
    text = bad.get_data(as_text=True)
    assert "The address was not saved." in text and "City: Required." in text
    address_id = int(re.search(r'data-saved-address-id="(\d+)"', page).group(1))

    make_user("bob@example.com")
    other = app.test_client()
    log_in(other, "bob@example.com")
    assert other.post(f"/account/addresses/{address_id}/delete",
                      data={"csrf_token": csrf_token_from(other)}).status_code == 404
    client.post(f"/account/addresses/{address_id}/delete", data={"csrf_token": token})
    assert "No saved addresses yet." in client.get("/account").get_data(as_text=True)


def test_changing_the_password_ends_the_other_sessions_but_not_this_one(app, make_user):
    make_user("ann@example.com")
    here, elsewhere = app.test_client(), app.test_client()
    log_in(here, "ann@example.com")
    log_in(elsewhere, "ann@example.com")
    assert elsewhere.get("/account").status_code == 200
    here.post("/account/password", data={
        "current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD,
        "csrf_token": csrf_token_from(here)})
    assert here.get("/account").status_code == 200
    gone = elsewhere.get("/account")
    assert gone.status_code == 302 and gone.headers["Location"].startswith("/login")


def test_a_reset_ends_every_session(app, client, make_user):
    make_user("ann@example.com")
    browser = app.test_client()
    log_in(browser, "ann@example.com")
    ask_for_reset(client, "ann@example.com")
    client.post(reset_link(app), data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD,
                                       "csrf_token": csrf_token_from(client)})
    assert browser.get("/account").status_code == 302
