"""A shopper who forgot the password resets it from the link in the mail, in Chromium."""

import re

import pytest
from playwright.sync_api import expect

from tests.helpers import PASSWORD, test_config
from tests.mail_server import body_text

pytestmark = pytest.mark.browser

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def app_config(database, tmp_path, mail_server):
    return test_config(tmp_path, **mail_server.config(), MAIL_DELIVER_AFTER_COMMIT=True)


def test_a_shopper_resets_a_forgotten_password_from_the_mail(live_server, make_user,
                                                              mail_server, courier, page,
                                                              screenshot):
    base = live_server.url
    live_server.app.config["SHOP_BASE_URL"] = base  # links in mail point at this server
    make_user("ann@example.com")
    page.goto(base + "/login")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill("ann@example.com")
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("heading", name="Check your mail")).to_be_visible()

    [mail] = mail_server.wait_for(1)
    assert mail["To"] == "ann@example.com" and mail["Subject"] == "Reset your password"
    link = re.search(r"(http://\S+/password/reset/\S+)", body_text(mail)).group(1)
    assert link.startswith(base)

    page.goto(link)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Repeat new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save new password").click()
    expect(page.get_by_text("Your password is changed. Log in with the new one.")).to_be_visible()

    page.get_by_label("Email").fill("ann@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("That email and password do not match an account.")).to_be_visible()
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("You are logged in.")).to_be_visible()

    page.goto(link)  # the link worked once
    expect(page.get_by_role("heading", name="This link cannot be used")).to_be_visible()
    expect(page.get_by_text("already used")).to_be_visible()
    screenshot(page)
