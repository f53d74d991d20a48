"""Safe without set-up: a generated secret key, security headers, proxies, caching, error pages."""

import logging
import re
import stat
from pathlib import Path

import pytest

from shop import create_app
from tests.helpers import csrf_token_from, log_in, test_config

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def app_without_secret_key(tmp_path, instance, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    config = test_config(tmp_path)
    del config["SECRET_KEY"]
    return create_app(config, instance_path=str(instance))


def test_without_secret_key_each_instance_makes_and_keeps_its_own(tmp_path, monkeypatch, caplog):
    caplog.set_level(logging.WARNING, logger="shop.config")
    first = app_without_secret_key(tmp_path, tmp_path / "one", monkeypatch)
    assert any("generated" in r.getMessage() for r in caplog.records)
    other = app_without_secret_key(tmp_path, tmp_path / "two", monkeypatch)
    again = app_without_secret_key(tmp_path, tmp_path / "one", monkeypatch)

    assert len(first.config["SECRET_KEY"]) >= 32
    assert first.config["SECRET_KEY"] != other.config["SECRET_KEY"]
    assert again.config["SECRET_KEY"] == first.config["SECRET_KEY"]
    for folder in ("one", "two"):
        mode = (tmp_path / folder / "secret_key").stat().st_mode
        assert stat.S_IMODE(mode) == 0o600
    assert "dev-only" not in Path(create_app.__code__.co_filename).with_name("config.py") \
        .read_text()


def test_a_configured_secret_key_is_used_and_nothing_is_written(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    app = create_app(test_config(tmp_path), instance_path=str(tmp_path / "inst"))
    assert app.config["SECRET_KEY"] == "test-secret"
    assert not (tmp_path / "inst" / "secret_key").exists()


def test_a_page_sends_the_security_headers(client):
    response = client.get("/")
    csp = dict(d.strip().split(" ", 1) for d in
               response.headers["Content-Security-Policy"].split(";"))
    assert csp["default-src"] == "'self'"
    assert csp["script-src"] == "'self' https://js.stripe.com"
    assert csp["frame-src"] == "https://js.stripe.com https://hooks.stripe.com"
    assert csp["connect-src"] == "'self' https://api.stripe.com"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["style-src"] == "'self'" and "unsafe-inline" not in response.headers[
        "Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP
    assert client.get("/", base_url="https://localhost").headers[
        "Strict-Transport-Security"].startswith("max-age=")
    # Each once, on pages, JSON answers, errors and static files alike.
    for path in ("/", "/products", "/no-such-page", "/orders", "/static/css/shop.css"):
        response = client.get(path)
        response.close()  # a static file's answer holds the file open
        headers = response.headers
        for name in ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy",
                     "X-Frame-Options"):
            assert len(headers.getlist(name)) == 1, (path, name)


def test_templates_hold_no_inline_script_or_style_the_policy_would_block():
    for template in TEMPLATES.rglob("*.html"):
        if template.parent.name == "mail":
            continue  # mail is read in a mail client, never served under the policy
        html = template.read_text()
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, (template, tag)
        assert not re.search(r"\sstyle\s*=", html), template
        assert not re.search(r"<style\b", html), template
        assert not re.search(r"\son[a-z]+\s*=", html), template


@pytest.mark.parametrize("app_config", [{"SHOP_PROXY_HOPS": 1}], indirect=True)
def test_behind_a_proxy_https_gives_hsts_and_secure_cookies(client):
    response = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" in response.headers
    assert "Secure" in response.headers["Set-Cookie"]


def test_without_proxy_hops_forwarded_headers_are_ignored(client):
    response = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in response.headers
    assert "Secure" not in response.headers["Set-Cookie"]


@pytest.fixture
def app_config(request, tmp_path):
    return test_config(tmp_path, **getattr(request, "param", {}))


def test_logged_in_pages_and_user_data_are_never_cached(app, client, make_user, shopper,
                                                        make_product):
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
    make_user("ann@example.com")
    log_in(client, "ann@example.com")
    for path in ("/", "/account", "/cart", "/account/orders"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path
    assert client.post("/account", data={"name": "ci",
                                         "csrf_token": csrf_token_from(client)}) \
        .headers["Cache-Control"] == "no-store"
    assert shopper.get("/orders").headers["Cache-Control"] == "no-store"
    mug = make_product()
    created = shopper.post("/orders/new", json=[{"id": mug, "quantity": 1}])
    assert created.status_code == 201 and "clientSecret" in created.json
    assert created.headers["Cache-Control"] == "no-store"
    static = client.get("/static/css/shop.css")
    assert "no-store" not in static.headers.get("Cache-Control", "")
    static.close()


def test_the_500_page_is_titled_by_its_status(app, caplog):
    def boom():
        raise RuntimeError("kaput")

    app.add_url_rule("/boom", view_func=boom)
    with caplog.at_level(logging.CRITICAL):
        response = app.test_client().get("/boom")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "<title>Something went wrong · Kitchen &amp; Table</title>" in html
    assert "property object" not in html
