"""The cart's rules through its pages: adding, changing, removing, stock limits, the demo
cart, CSRF, and keeping the cart through login."""

import re

import pytest

from shop.catalog.models import Product
from shop.extensions import db
from tests.helpers import csrf_token_from, log_in


def cart_html(client) -> str:
    return client.get("/cart").get_data(as_text=True)


def nav_count(html: str) -> int:
    return int(re.search(r"data-cart-count>(\d+)<", html).group(1))


def cart_total(html: str) -> str:
    return re.search(r"data-cart-total>([^<]+)<", html).group(1)


def add(client, product_id, quantity=1, follow=True, **extra):
    data = {"csrf_token": csrf_token_from(client), "product_id": product_id,
            "quantity": quantity, **extra}
    return client.post("/cart/add", data=data, follow_redirects=follow)


def set_line(client, product_id, quantity):
    return client.post(f"/cart/lines/{product_id}", follow_redirects=True,
                       data={"csrf_token": csrf_token_from(client), "quantity": quantity})


def test_adding_puts_units_in_the_cart_priced_from_the_catalog(app, client, make_product):
    mug = make_product(name="Mug", price=1250, stock=10)
    jar = make_product(name="Jar", price=995, stock=10)
    page = add(client, mug, 2).get_data(as_text=True)
    assert "Added 2 × Mug to your cart" in page
    add(client, mug, 1)
    add(client, jar, 1)

    html = cart_html(client)
    assert nav_count(html) == 4
    assert cart_total(html) == "$47.45"  # 3 × 12.50 + 9.95, in cents on the server
    with app.app_context():  # a new catalog price shows at once: the cart keeps no prices
        db.session.get(Product, jar).price_in_cents = 1000
        db.session.commit()
    assert cart_total(cart_html(client)) == "$47.50"


def test_adding_goes_back_to_the_page_it_came_from_but_never_off_the_site(client,
                                                                          make_product):
    mug = make_product()
    response = add(client, mug, follow=False, next="/#product-1")
    assert response.headers["Location"] == "/#product-1"
    response = add(client, mug, follow=False, next="https://evil.example/")
    assert response.headers["Location"] == "/"


def test_more_than_the_stock_left_is_refused_with_a_clear_message(client, make_product):
    mug = make_product(name="Mug", stock=3)
    add(client, mug, 2)
    page = add(client, mug, 2).get_data(as_text=True)
    assert "Only 3 of Mug left, so your cart cannot hold 4." in page
    assert nav_count(cart_html(client)) == 2

    page = set_line(client, mug, 5).get_data(as_text=True)
    assert "Only 3 of Mug left, so your cart cannot hold 5." in page
    assert nav_count(page) == 2


def test_sold_out_and_unknown_products_cannot_be_added(client, make_product):
    sold_out = make_product(name="Kettle", stock=0)
    hidden = make_product(name="Old mug", active=False)
    assert "Sorry, Kettle is sold out." in add(client, sold_out).get_data(as_text=True)
    assert f"There is no product {hidden}." in add(client, hidden).get_data(as_text=True)
    assert "There is no product 999." in add(client, 999).get_data(as_text=True)
    assert nav_count(cart_html(client)) == 0


@pytest.mark.parametrize("quantity", ["0", "-1", "abc", "101", ""])
def test_nonsense_quantities_are_refused(client, make_product, quantity):
    mug = make_product()
    page = add(client, mug, quantity).get_data(as_text=True)
    assert 'class="flash flash-error"' in page
    assert nav_count(cart_html(client)) == 0


def test_changing_and_removing_lines(client, make_product):
    mug = make_product(name="Mug", price=1000)
    jar = make_product(name="Jar", price=500)
    add(client, mug)
    add(client, jar)

    page = set_line(client, mug, 3).get_data(as_text=True)
    assert "Your cart now holds 3 × Mug." in page
    assert cart_total(page) == "$35.00"

    page = set_line(client, jar, 0).get_data(as_text=True)  # 0 takes the line out
    assert "The line was taken out of your cart." in page
    assert cart_total(page) == "$30.00"

    page = client.post(f"/cart/lines/{mug}/remove", follow_redirects=True,
                       data={"csrf_token": csrf_token_from(client)}).get_data(as_text=True)
    assert "Your cart is empty." in page
    assert nav_count(page) == 0


def test_emptying_the_cart(client, make_product):
    add(client, make_product())
    page = client.post("/cart/clear", data={"csrf_token": csrf_token_from(client)},
                       follow_redirects=True).get_data(as_text=True)
    assert "Your cart is empty." in page
    assert nav_count(page) == 0


def test_cart_forms_need_the_csrf_token(client, make_product):
    mug = make_product()
    response = client.post("/cart/add", data={"product_id": mug, "quantity": 1})
    assert response.status_code == 400
    assert nav_count(cart_html(client)) == 0


def test_the_demo_cart_holds_what_get_orders_demo_cart_lists(client, make_product):
    for name in ("Mug", "Jar", "Spoon", "Towel"):
        make_product(name=name, price=700, stock=10)
    demo_lines = client.get("/orders/demo-cart").json
    page = client.post("/cart/demo", data={"csrf_token": csrf_token_from(client)},
                       follow_redirects=True).get_data(as_text=True)
    assert "Your cart now holds the demo cart." in page
    shown = {int(pid) for pid in re.findall(r'class="cart-line[^"]*" data-product-id="(\d+)"',
                                            page)}
    assert shown == {line["id"] for line in demo_lines}
    assert nav_count(page) == sum(line["quantity"] for line in demo_lines)
    total = sum(line["quantity"] * line["priceInCents"] for line in demo_lines)
    assert cart_total(page) == f"${total // 100}.{total % 100:02d}"


def test_the_cart_is_kept_through_login(client, make_user, make_product):
    make_user("ann@example.com")
    mug = make_product(name="Mug")
    add(client, mug, 2)
    log_in(client, "ann@example.com")
    page = client.get("/checkout").get_data(as_text=True)
    assert nav_count(page) == 2
    assert f'"id": {mug}, "quantity": 2' in page  # the lines checkout.js posts


def test_a_product_taken_off_sale_leaves_the_cart(app, client, make_product):
    mug = make_product(name="Mug")
    jar = make_product(name="Jar")
    add(client, mug)
    add(client, jar)
    with app.app_context():
        db.session.get(Product, jar).active = False
        db.session.commit()
    page = cart_html(client)
    assert "no longer for sale and were taken out" in page
    assert nav_count(cart_html(client)) == 1


def test_the_cart_count_in_the_nav_costs_no_query(client, make_product, count_queries):
    add(client, make_product(), 3)
    with count_queries() as statements:
        html = client.get("/login").get_data(as_text=True)
    assert nav_count(html) == 3
    assert statements == []


def test_lines_above_the_stock_left_block_checkout_on_the_cart_page(app, client,
                                                                    make_product):
    mug = make_product(name="Mug", stock=5)
    add(client, mug, 4)
    with app.app_context():  # somebody else bought some meanwhile
        db.session.get(Product, mug).stock = 2
        db.session.commit()
    page = cart_html(client)
    assert "Only 2 left: lower the quantity." in page
    assert re.search(r"<button[^>]*disabled>Proceed to checkout</button>", page)


def test_adding_a_product_id_past_the_database_integers_is_refused_politely(client):
    response = client.post("/cart/add", data={"product_id": 10**20, "quantity": 1,
                                              "csrf_token": csrf_token_from(client)})
    assert response.status_code == 302
    assert "There is no product" in client.get("/cart").get_data(as_text=True)


def test_pages_that_only_show_the_cart_leave_the_session_cookie_alone(client, make_user,
                                                                      make_product):
    """A browser sends its cookie on every page; signing and sending it back unchanged is
    work for nothing on each one. Only a change (here: a product gone) writes it again."""
    make_user("reader@example.com")
    log_in(client, "reader@example.com")
    mug = make_product(name="Mug", stock=10)
    gone = make_product(name="Gone", stock=10)
    add(client, mug, 2)
    add(client, gone, 1)
    client.get("/cart")  # shows the "added" messages once, which changes the session
    for path in ("/cart", "/", "/account/orders", "/account"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "Set-Cookie" not in response.headers, path
    with client.application.app_context():
        db.session.delete(db.session.get(Product, gone))
        db.session.commit()
    response = client.get("/cart")
    assert "Set-Cookie" in response.headers  # the cart lost its line: saved again
    assert nav_count(response.get_data(as_text=True)) == 2
