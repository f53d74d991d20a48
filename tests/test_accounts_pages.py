"""Registering, logging in and out, and managing API tokens on the account page."""

import re

from shop.accounts import services as accounts
from tests.helpers import PASSWORD, csrf_token_from, log_in


def register(client, email, password=PASSWORD, confirm=None):
    return client.post("/register", data={
        "email": email, "password": password, "confirm": confirm or password,
        "csrf_token": csrf_token_from(client)})


def test_register_creates_a_customer_and_logs_in(client, app):
    response = register(client, "New@Example.com")
    assert response.status_code == 302
    assert client.get("/orders").status_code == 200
    with app.app_context():
        user = accounts.user_by_email("new@example.com")
        assert user.role == "customer" and user.password_hash != PASSWORD


def test_register_refuses_duplicates_short_passwords_and_mismatches(client, make_user):
    make_user("taken@example.com")
    assert "already exists" in register(client, "taken@example.com").get_data(as_text=True)
    assert register(client, "a@example.com", "short").status_code == 400
    assert register(client, "b@example.com", PASSWORD, "different!").status_code == 400
    assert register(client, "not-an-email").status_code == 400


def test_register_without_csrf_is_refused(client):
    response = client.post("/register", data={"email": "x@example.com", "password": PASSWORD,
                                               "confirm": PASSWORD})
    assert response.status_code == 400
    assert client.get("/orders").status_code == 401


def test_logout_ends_the_session_and_forgets_the_cart(client, make_user, make_product):
    pid = make_product()
    make_user("ann@example.com")
    log_in(client, "ann@example.com")
    client.post("/cart/add", data={"product_id": pid, "quantity": 2,
                                   "csrf_token": csrf_token_from(client)})
    assert 'data-cart-count>2<' in client.get("/").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token_from(client)})
    assert client.get("/orders").status_code == 401
    assert 'data-cart-count>0<' in client.get("/").get_data(as_text=True)


def test_account_page_creates_a_token_once_and_revokes_it(client, make_user, app):
    make_user("ann@example.com")
    log_in(client, "ann@example.com")
    page = client.post("/account", data={"name": "laptop script",
                                         "csrf_token": csrf_token_from(client)})
    html = page.get_data(as_text=True)
    token = re.search(r"<code data-new-token>([^<]+)</code>", html).group(1)
    assert client.get("/orders", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    again = client.get("/account").get_data(as_text=True)
    assert "laptop script" in again and token not in again

    with app.app_context():
        token_id = accounts.user_by_email("ann@example.com").tokens[0].id
    client.post(f"/account/tokens/{token_id}/revoke", data={"csrf_token": csrf_token_from(client)})
    assert client.get("/orders", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_nobody_revokes_another_users_token(client, make_user, api_as, app):
    victim = api_as("victim@example.com")
    make_user("ann@example.com")
    log_in(client, "ann@example.com")
    with app.app_context():
        token_id = accounts.user_by_email("victim@example.com").tokens[0].id
    response = client.post(f"/account/tokens/{token_id}/revoke",
                           data={"csrf_token": csrf_token_from(client)})
    assert response.status_code == 404
    assert victim.get("/orders").status_code == 200
