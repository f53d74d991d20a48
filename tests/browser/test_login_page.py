import pytest

from tests.helpers import PASSWORD

pytestmark = pytest.mark.browser


def test_a_shopper_logs_in_in_chromium(live_server, make_user, page, screenshot):
    make_user("ann@example.com")
    page.goto(live_server.url + "/login")
    page.get_by_label("Email").fill("ann@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_text("You are logged in.").wait_for()
    screenshot(page)
    assert page.get_by_role("link", name="Account").is_visible()
