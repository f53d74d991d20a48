"""The checkout page's shipping step and the thank-you page, through the test client."""

import re

import pytest

from shop.accounts import services as accounts
from shop.extensions import db
from shop.shipping import services as shipping
from shop.shipping.schemas import ShippingAddress
from tests.helpers import log_in
from tests.test_shopper_pages import add_to_cart, pay, place_order


@pytest.fixture
def ann(client, make_user):
    make_user("ann@example.com")
    log_in(client, "ann@example.com")
    return client


def test_checkout_asks_for_the_method_and_a_labelled_address(ann, make_product):
    add_to_cart(ann, make_product(name="Mug", price=1400), 2)
    html = ann.get("/checkout").get_data(as_text=True)
    # The cheapest method comes first and is chosen: Pickup, free.
    assert re.search(r'id="method-\d+" value="\d+" data-price="0"[^>]*checked', html)
    assert "Standard shipping · $5.00" in html and "Pickup · free" in html
    for label, name, token in (("Full name", "name", "shipping name"),
                               ("Address", "line1", "shipping address-line1"),
                               ("City", "city", "shipping address-level2"),
                               ("Postal code", "postalCode", "shipping postal-code"),
                               ("Country", "country", "shipping country")):
        field_id = re.search(rf'<label for="([^"]+)">{label}</label>', html).group(1)
        assert re.search(rf'id="{field_id}" name="{name}" autocomplete="{token}"', html), label
    assert '<option value="US">United States</option>' in html
    assert '<option value="DE">Germany</option>' in html
    assert 'data-order-total>$28.00<' in html
    assert re.search(r'<script type="module" src="/static/[^"]*js/shipping-form.js"', html)


def test_saved_addresses_are_offered_at_checkout(app, ann, make_product):
    with app.app_context():
        user = accounts.user_by_email("ann@example.com")
        shipping.save_address(user, ShippingAddress.model_validate(
            {"name": "Ann Lee", "line1": "9 Elm St", "city": "Portland", "postalCode": "97201",
             "country": "US"}))
        db.session.remove()
    add_to_cart(ann, make_product(), 1)
    html = ann.get("/checkout").get_data(as_text=True)
    button = re.search(r"data-saved-address='([^']+)'>Ship to Ann Lee, 9 Elm St, Portland<",
                       html)
    assert button and '"postalCode": "97201"' in button.group(1)


def test_checkout_says_so_when_no_method_is_on_offer(app, ann, make_product):
    with app.app_context():
        for method in shipping.list_methods():
            method.active = False
        db.session.commit()
    add_to_cart(ann, make_product(), 1)
    html = ann.get("/checkout").get_data(as_text=True)
    assert "cannot take orders" in html and 'id="checkout-button"' not in html


def test_the_thank_you_page_names_the_order_and_what_comes_next(ann, client, make_product):
    pid = make_product(name="Mug", price=1400)
    standard = next(m["id"] for m in client.get("/shipping-methods").json
                    if m["requiresAddress"])
    order = place_order(ann, {"products": [pid], "shippingMethodId": standard,
                              "shippingAddress": {"name": "Ann Lee", "line1": "9 Elm St",
                                                  "city": "Portland", "postalCode": "97201",
                                                  "country": "US"}})
    assert ann.get(f"/account/orders/{order['id']}/thank-you").status_code == 302  # unpaid
    pay(ann, order)
    response = ann.get(f"/checkout/complete?order={order['id']}")
    assert response.headers["Location"] == f"/account/orders/{order['id']}/thank-you"
    html = ann.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Your order number is <strong data-order-number>{order['id']}</strong>" in html
    assert "What happens next" in html and "ann@example.com" in html
    assert "send it by Standard shipping to Ann Lee, Portland" in html
    assert "$19.00" in html  # 14 + 5 shipping


def test_nobody_else_sees_the_thank_you_page(client, make_user, ann, make_product):
    order = place_order(ann, [make_product()])
    pay(ann, order)
    client.post("/logout", data={"csrf_token": re.search(
        r'name="csrf-token" content="([^"]+)"', client.get("/").get_data(as_text=True)
    ).group(1)})
    make_user("bob@example.com")
    log_in(client, "bob@example.com")
    assert client.get(f"/account/orders/{order['id']}/thank-you").status_code == 404
