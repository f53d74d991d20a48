"""The shopper's pages through the test client: catalog and product pages, checkout access,
order history and order pages (only one's own), cancelling, paying again, completion."""

import re

import pytest

from shop.catalog.models import Product
from shop.extensions import db
from tests.helpers import log_in


def csrf_token_from(client) -> str:
    """The CSRF token of <meta name="csrf-token">, from a page any visitor may see."""
    html = client.get("/cart").get_data(as_text=True)
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', html).group(1)


@pytest.fixture
def ann(client, make_user):
    """A test client logged in as a shopper, Ann."""
    make_user("ann@example.com")
    log_in(client, "ann@example.com")
    return client


def place_order(client, lines) -> dict:
    """Place an order as the checkout page's JavaScript does: session cookie + X-CSRFToken."""
    response = client.post("/orders/new", json=lines,
                           headers={"X-CSRFToken": csrf_token_from(client)})
    assert response.status_code == 201, response.json
    return response.json


def pay(client, order, card="4242424242424242"):
    return client.post("/payments/test/confirm",
                       json={"clientSecret": order["clientSecret"], "cardNumber": card},
                       headers={"X-CSRFToken": csrf_token_from(client)})


def add_to_cart(client, product_id, quantity=1):
    client.post("/cart/add", data={"csrf_token": csrf_token_from(client),
                                   "product_id": product_id, "quantity": quantity})


def nav_count(html: str) -> int:
    return int(re.search(r"data-cart-count>(\d+)<", html).group(1))


def test_the_catalog_shows_name_picture_price_stock_and_add_to_cart(client, app, make_product):
    mug = make_product(name="Mug", price=1400, stock=7)
    with app.app_context():
        db.session.get(Product, mug).image_url = "/static/img/products/mug.svg"
        db.session.commit()
    make_product(name="Bare", price=500, stock=0)
    html = client.get("/").get_data(as_text=True)
    assert 'src="/static/img/products/mug.svg"' in html
    assert re.search(r'src="/static/v/\w+/img/products/placeholder.svg"', html)
    assert "$14.00" in html and "7 left" in html
    assert html.count("Add to cart<") == 1  # the sold-out product has none
    assert "Sold out" in html


def test_the_product_page_and_its_404s(client, make_product):
    mug = make_product(name="Mug", price=1400, stock=7, description="Stoneware, 350 ml.")
    hidden = make_product(name="Old", active=False)
    html = client.get(f"/catalog/{mug}").get_data(as_text=True)
    assert "<h1>Mug</h1>" in html
    assert "Stoneware, 350 ml." in html and "$14.00" in html and "7 left" in html
    assert 'name="quantity"' in html and "Add to cart" in html
    for missing in (hidden, 999):
        response = client.get(f"/catalog/{missing}")
        assert response.status_code == 404
        assert response.mimetype == "text/html"


def test_product_pictures_exist_for_every_demo_product(client):
    from shop.demo import PRODUCTS

    for *_, slug in PRODUCTS:
        response = client.get(f"/static/img/products/{slug}.svg")
        assert response.status_code == 200, slug
        assert response.mimetype == "image/svg+xml"
        assert len(response.data) < 2000
        response.close()


def test_static_files_are_cache_busted_and_cached(client):
    html = client.get("/").get_data(as_text=True)
    css = re.search(r'href="(/static/v/\w+/css/shop.css)"', html).group(1)
    response = client.get(css)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    response.close()
    # An old fingerprint still finds the file, but is not promised to stay the same.
    stale = client.get(css.replace("/v/", "/v/0"))
    assert stale.status_code == 200 and "immutable" not in stale.headers["Cache-Control"]
    stale.close()
    # An old fingerprint still finds the file, but is not promised to stay the same.
    stale = client.get(css.replace("/v/", "/v/0"))
    assert stale.status_code == 200 and "immutable" not in stale.headers["Cache-Control"]
    stale.close()


def test_checkout_asks_a_visitor_to_log_in_first(client, make_product):
    add_to_cart(client, make_product())
    response = client.get("/checkout")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/checkout"


def test_the_checkout_page_in_test_mode(ann, make_product):
    mug = make_product(name="Mug", price=1400)
    add_to_cart(ann, mug, 2)
    html = ann.get("/checkout").get_data(as_text=True)
    assert '<meta name="csrf-token"' in html
    assert f'[{{"id": {mug}, "quantity": 2}}]' in html
    assert ">Checkout</button>" in html  # enabled by checkout.js
    assert '<label for="card-number">Card number</label>' in html
    assert "Pay $28.00" in html and "Test payment." in html
    assert "js.stripe.com" not in html


def test_the_checkout_page_of_an_empty_cart_offers_no_checkout(ann):
    html = ann.get("/checkout").get_data(as_text=True)
    assert "Your cart is empty" in html
    assert ">Checkout</button>" not in html


def test_history_lists_only_the_shoppers_own_orders(client, app, make_user, make_product):
    mug = make_product(name="Mug", price=1000)
    make_user("bob@example.com")
    log_in(client, "bob@example.com")
    bobs = place_order(client, [{"id": mug, "quantity": 1}])
    client.post("/logout", data={"csrf_token": csrf_token_from(client)})

    make_user("ann@example.com")
    log_in(client, "ann@example.com")
    anns = place_order(client, [{"id": mug, "quantity": 3}])
    html = client.get("/account/orders").get_data(as_text=True)
    assert f'data-order-id="{anns["id"]}"' in html
    assert f'data-order-id="{bobs["id"]}"' not in html
    assert "3 × Mug" in html and "$30.00" in html and 'data-status="pending"' in html

    for path in (f"/account/orders/{bobs['id']}", f"/account/orders/{bobs['id']}/pay",
                 f"/checkout/complete?order={bobs['id']}", "/account/orders/999"):
        assert client.get(path).status_code == 404, path
    response = client.post(f"/account/orders/{bobs['id']}/cancel",
                           data={"csrf_token": csrf_token_from(client)})
    assert response.status_code == 404
    assert client.get(f"/account/orders/{anns['id']}").status_code == 200


def test_staff_see_only_their_own_orders_on_the_shopper_pages(client, make_user, api_as,
                                                              make_product):
    mug = make_product()
    customer = api_as("bob@example.com")
    bobs = customer.post("/orders/new", json=[str(mug)]).json
    make_user("staff@example.com", staff=True)
    log_in(client, "staff@example.com")
    assert client.get(f"/account/orders/{bobs['id']}").status_code == 404
    html = client.get("/account/orders").get_data(as_text=True)
    assert "You have not ordered anything yet." in html


def test_history_comes_in_small_pages_with_a_fixed_number_of_queries(ann, make_product,
                                                                     count_queries):
    mug = make_product(price=100, stock=100)
    ids = []
    for n in range(1, 13):  # paid, since a shopper may hold only 10 unpaid orders
        order = place_order(ann, [{"id": mug, "quantity": n}])
        assert pay(ann, order).status_code == 200
        ids.append(order["id"])
    with count_queries() as first_page_queries:
        first = ann.get("/account/orders").get_data(as_text=True)
    shown = [int(i) for i in re.findall(r'data-order-id="(\d+)"', first)]
    assert shown == sorted(ids, reverse=True)[:10]  # newest first
    assert 'href="/account/orders?page=2"' in first
    with count_queries() as second_page_queries:
        second = ann.get("/account/orders?page=2").get_data(as_text=True)
    older = [int(i) for i in re.findall(r'data-order-id="(\d+)"', second)]
    assert older == sorted(ids, reverse=True)[10:]
    assert "page=3" not in second and 'href="/account/orders?page=1"' in second
    assert len(first_page_queries) == len(second_page_queries)  # 10 orders cost what 2 do
    # Seen again while no order changed: kept, only the user is read (see test_order_lists).
    with count_queries() as again:
        assert ann.get("/account/orders?page=2").get_data(as_text=True) == second
    assert len(again) == 1


def test_the_order_page_shows_lines_total_status_and_pending_actions(ann, make_product):
    mug = make_product(name="Mug", price=1250)
    order = place_order(ann, [{"id": mug, "quantity": 2}])
    html = ann.get(f"/account/orders/{order['id']}").get_data(as_text=True)
    assert "Mug" in html and "$12.50" in html and "$25.00" in html
    assert 'data-status="pending"' in html
    assert f'href="/account/orders/{order["id"]}/pay"' in html
    assert "Cancel order" in html

    assert pay(ann, order).status_code == 200
    html = ann.get(f"/account/orders/{order['id']}").get_data(as_text=True)
    assert 'data-status="paid"' in html
    assert "Cancel order" not in html and "/pay" not in html


def test_cancelling_a_pending_order_puts_its_stock_back(ann, app, make_product):
    mug = make_product(stock=5)
    order = place_order(ann, [{"id": mug, "quantity": 2}])
    page = ann.post(f"/account/orders/{order['id']}/cancel", follow_redirects=True,
                    data={"csrf_token": csrf_token_from(ann)}).get_data(as_text=True)
    assert f"Order {order['id']} is cancelled." in page
    assert 'data-status="cancelled"' in page
    assert ann.get(f"/orders/{order['id']}").json["status"] == "cancelled"
    assert ann.get(f"/products/{mug}").json["stock"] == 5
    # Cancelling again is refused by the status table, and said so.
    page = ann.post(f"/account/orders/{order['id']}/cancel", follow_redirects=True,
                    data={"csrf_token": csrf_token_from(ann)}).get_data(as_text=True)
    assert 'data-status="cancelled"' in page


def test_cancelling_needs_the_csrf_token(ann, make_product):
    order = place_order(ann, [{"id": make_product(), "quantity": 1}])
    assert ann.post(f"/account/orders/{order['id']}/cancel").status_code == 400
    assert ann.get(f"/orders/{order['id']}").json["status"] == "pending"


def test_the_pay_page_offers_the_form_again_for_a_pending_order_only(ann, make_product):
    order = place_order(ann, [{"id": make_product(price=900), "quantity": 1}])
    assert pay(ann, order, "4000000000000002").status_code == 402
    html = ann.get(f"/account/orders/{order['id']}/pay").get_data(as_text=True)
    assert order["clientSecret"] in html
    assert "Pay $9.00" in html and "Card number" in html
    assert "The last attempt failed: Your card was declined." in html

    assert pay(ann, order).status_code == 200
    response = ann.get(f"/account/orders/{order['id']}/pay")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/account/orders/{order['id']}"


def test_completion_empties_the_cart_that_was_paid_for(ann, make_product):
    mug = make_product(name="Mug")
    add_to_cart(ann, mug, 2)
    order = place_order(ann, [{"id": mug, "quantity": 2}])

    unpaid = ann.get(f"/checkout/complete?order={order['id']}").get_data(as_text=True)
    assert "The payment did not go through." in unpaid
    assert nav_count(unpaid) == 2  # nothing was bought: the cart stays

    assert pay(ann, order).status_code == 200
    response = ann.get(f"/checkout/complete?order={order['id']}")
    assert response.headers["Location"] == f"/account/orders/{order['id']}/thank-you"
    page = ann.get(response.headers["Location"]).get_data(as_text=True)
    assert "Thank you! Your payment went through." in page
    assert f"Your order number is <strong data-order-number>{order['id']}</strong>" in page
    assert nav_count(page) == 0


def test_completion_of_an_old_order_leaves_a_new_cart_alone(ann, make_product):
    mug = make_product(name="Mug")
    order = place_order(ann, [{"id": mug, "quantity": 1}])
    assert pay(ann, order).status_code == 200
    add_to_cart(ann, mug, 3)  # a new cart, not the one that was paid for
    ann.get(f"/checkout/complete?order={order['id']}")
    assert nav_count(ann.get("/cart").get_data(as_text=True)) == 3


def test_order_pages_need_login(client):
    for path in ("/account/orders", "/account/orders/1", "/account/orders/1/pay",
                 "/checkout/complete?order=1"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/login?next="), path
