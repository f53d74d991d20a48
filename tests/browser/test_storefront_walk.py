"""Every page, as an anonymous visitor, a shopper and staff, at a desk's and a phone's size:
the document is never wider than the screen, axe-core finds no serious or critical violation,
and each page's screenshot goes to the artifacts folder (with a summary of axe's findings)."""

import json
import os

import pytest

from shop import demo
from shop.accounts import services as accounts
from shop.catalog.models import Product
from shop.extensions import db
from shop.orders import services as orders
from shop.orders.models import Order
from shop.shipping import services as shipping
from shop.shipping.schemas import ShippingAddress
from tests.browser.walk import BLOCKING, by_impact, document_overflow, run_axe
from tests.helpers import ARTIFACTS

pytestmark = pytest.mark.browser

SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def walk_data(app, make_user):
    """The demo catalog and leads, a shopper with an order, a staff member."""
    make_user("ann@example.com")
    make_user("sales@example.com", staff=True)
    with app.app_context():
        demo.seed(app.config)
        products = {p.name: p.id for p in db.session.scalars(db.select(Product))}
        ann = accounts.user_by_email("ann@example.com")
        order, _ = orders.place_order(ann, {products["Ceramic Mug"]: 2, products["Apron"]: 1})
        # A paid order that ships to an address: the thank-you page and its shipping facts.
        method = next(m for m in shipping.list_methods() if m.requires_address)
        address = ShippingAddress.model_validate({
            "name": "Ann Byrne", "line1": "12 Harbour Street", "city": "Dublin",
            "postalCode": "D02 X285", "country": "IE"})
        shipped, _ = orders.place_order(ann, {products["Enamel Teapot"]: 1},
                                        shipping_method_id=method.id, shipping_address=address)
        shipping.save_address(ann, address)
        db.session.get(Order, shipped.id).status = "paid"
        db.session.commit()
        data = {"order_id": order.id, "paid_order_id": shipped.id,
                "product_id": products["Ceramic Mug"]}
        db.session.remove()
    return data


def _pages(data: dict) -> dict[str, list[tuple[str, str]]]:
    """(name, path) of the pages each kind of visitor walks, in order."""
    order, product, paid = data["order_id"], data["product_id"], data["paid_order_id"]
    return {
        "anonymous": [
            ("catalog", "/"), ("catalog-category", "/?category=cookware"),
            ("product", f"/catalog/{product}"), ("cart", "/cart"), ("login", "/login"),
            ("register", "/register"), ("contact", "/contact"),
            ("shipping-returns", "/shipping-returns"), ("privacy", "/privacy"),
            ("terms", "/terms"), ("not-found", "/no-such-page"),
            ("password-forgot", "/password/forgot"),
            ("password-reset-unusable", "/password/reset/not-a-token"),
        ],
        "shopper": [
            ("checkout", "/checkout"), ("account", "/account"),
            ("order-history", "/account/orders"), ("order-detail", f"/account/orders/{order}"),
            ("thank-you", f"/account/orders/{paid}/thank-you"),
            ("paid-order-detail", f"/account/orders/{paid}"),
            ("forbidden", "/staff/orders"),
        ],
        "staff": [
            ("staff-orders", "/staff/orders"), ("staff-order", f"/staff/orders/{order}"),
            ("staff-leads", "/staff/leads"), ("staff-products", "/staff/products"),
            ("staff-product", f"/staff/products/{product}"),
            ("new-product", "/staff/products/new"),
            ("staff-paid-order", f"/staff/orders/{paid}"), ("staff-shipping", "/staff/shipping"),
        ],
    }


@pytest.mark.parametrize("size", SIZES)
def test_every_page_fits_and_has_no_serious_accessibility_violation(
        live_server, walk_data, logged_in_as, page, screenshot, size):
    page.set_viewport_size(SIZES[size])
    base = live_server.url
    report: dict[str, dict] = {}
    failures: list[str] = []

    def check(name: str, path: str, expected_status: int = 200) -> None:
        response = page.goto(base + path)
        assert response is not None and response.status == expected_status, (name, path)
        page.wait_for_load_state("load")
        overflow = document_overflow(page)
        violations = run_axe(page)
        blocking = [v for v in violations if v["impact"] in BLOCKING]
        report[name] = {"path": path, "overflow_px": overflow, "by_impact": by_impact(violations),
                        "violations": violations}
        if overflow:
            failures.append(f"{name} ({path}) is {overflow}px wider than the screen")
        for v in blocking:
            failures.append(f"{name} ({path}): {v['impact']} {v['id']}: {v['help']} {v['nodes']}")
        screenshot(page, name)

    visitors = _pages(walk_data)
    def fill_cart() -> None:
        page.goto(f"{base}/catalog/{walk_data['product_id']}")
        page.get_by_role("button", name="Add to cart").click()
        page.get_by_text("to your cart").wait_for()

    for name, path in visitors["anonymous"]:
        if name == "cart":  # a cart with lines, not the empty one
            fill_cart()
        check(name, path, {"not-found": 404, "password-reset-unusable": 400}.get(name, 200))

    # A form with errors, as a shopper who mistypes sees it.
    page.goto(base + "/register")
    page.get_by_label("Email").fill("ann")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Repeat password").fill("other")
    page.get_by_role("button", name="Register").click()
    page.wait_for_load_state("load")
    report["register-errors"] = {"path": "/register (POST)", "overflow_px": document_overflow(page),
                                 "by_impact": by_impact(run_axe(page))}
    screenshot(page, "register-errors")

    logged_in_as("ann@example.com")
    for name, path in visitors["shopper"]:
        if name == "checkout":
            fill_cart()
        check(name, path, 403 if name == "forbidden" else 200)

    logged_in_as("sales@example.com")
    for name, path in visitors["staff"]:
        check(name, path)

    os.makedirs(ARTIFACTS, exist_ok=True)
    with open(os.path.join(ARTIFACTS, f"walk-{size}.json"), "w", encoding="utf-8") as file:
        json.dump(report, file, indent=2)
    assert len(report) == sum(len(v) for v in visitors.values()) + 1
    assert not failures, "\n".join(failures)
