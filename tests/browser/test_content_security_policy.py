"""Every page works under the shop's Content-Security-Policy: Chromium reports no violation."""

import pytest

from tests.browser.helpers import add_to_cart_from_catalog
from tests.helpers import PASSWORD

pytestmark = pytest.mark.browser

RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


def test_shopper_and_staff_pages_run_without_a_policy_violation(live_server, demo_catalog,
                                                                 make_user, page):
    make_user("sales@example.com", staff=True)
    page.add_init_script(RECORD_VIOLATIONS)
    base = live_server.url
    page.goto(base + "/login?next=/staff/leads")
    page.get_by_label("Email").fill("sales@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/staff/leads")
    visited = {"/staff/leads": page.evaluate("window.cspViolations")}
    add_to_cart_from_catalog(page, base, _first_product_name(page, base))
    visited["/cart/add"] = page.evaluate("window.cspViolations")
    for path in ("/", "/cart", "/checkout", "/account", "/account/orders", "/staff/orders"):
        page.goto(base + path)
        page.wait_for_load_state("load")
        visited[path] = page.evaluate("window.cspViolations")
    assert visited == {path: [] for path in visited}
    # The recorder is live: an inline style, which the policy forbids, is reported.
    page.evaluate("document.body.setAttribute('style', 'color: red')")
    page.wait_for_function("window.cspViolations.length > 0")
    assert page.evaluate("window.cspViolations")[0].startswith("style-src")
    csp = page.request.get(base + "/").headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp


def _first_product_name(page, base: str) -> str:
    page.goto(base + "/")
    return page.get_by_role("listitem").get_by_role("heading").first.inner_text()
