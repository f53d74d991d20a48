"""The storefront's finish: the owner's brand and pages, adding to the cart from the catalog
(in the background and without a script), error pages and form messages in the shop's words,
the demo cart only in test mode, and one line order on every page of an order."""

import re

import pytest

from shop import create_app
from shop.accounts import services as accounts
from shop.extensions import db
from shop.orders import services as orders
from shop.storefront import DEFAULT_NAME, PAGES, render_page
from tests.helpers import csrf_token_from, log_in, test_config

WERKZEUG_WORDS = ("The requested URL was not found on the server",
                  "If you entered the URL manually", "Not Found", "Internal Server Error")
WTFORMS_WORDS = ("This field is required.", "Field must be", "Not a valid integer value.",
                 "Invalid email address.")


@pytest.fixture
def own_app(database, tmp_path):
    """An app whose instance folder is the test's own: for the owner's files (logo, pages)."""
    made = []

    def make(**settings):
        app = create_app(test_config(**settings), instance_path=str(tmp_path))
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            db.engine.dispose()


def test_the_brand_is_the_owners_in_the_header_titles_and_footer(own_app, tmp_path):
    app = own_app(SHOP_NAME="Birch & Bramble", SHOP_TAGLINE="Hand-thrown pottery from Devon.")
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 32)
    app = own_app(SHOP_NAME="Birch & Bramble", SHOP_TAGLINE="Hand-thrown pottery from Devon.")
    html = app.test_client().get("/login").get_data(as_text=True)
    assert "<title>Log in · Birch &amp; Bramble</title>" in html
    header = html[html.index('<header'):html.index('</header>')]
    assert 'class="brand-name">Birch &amp; Bramble<' in header
    assert 'src="/brand/logo"' in header
    footer = html[html.index('<footer'):html.index('</footer>')]
    assert "Hand-thrown pottery from Devon." in footer
    for slug, label in PAGES.items():
        assert f'href="/{slug}">{label.replace("&", "&amp;")}</a>' in footer
    logo = app.test_client().get("/brand/logo")
    assert logo.status_code == 200 and logo.mimetype == "image/png"
    logo.close()
    assert DEFAULT_NAME not in html and "Shop</title>" not in html


def test_without_settings_the_shop_has_the_documented_default_brand(client):
    html = client.get("/").get_data(as_text=True)
    assert "<title>Catalog · Kitchen &amp; Table</title>" in html
    assert client.get("/brand/logo").status_code == 404  # no logo file: the built-in mark


@pytest.mark.parametrize("slug", PAGES)
def test_each_footer_page_has_sensible_default_text(client, slug):
    response = client.get(f"/{slug}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(r"<h1>[^<]{4,}</h1>", html)
    assert len(re.findall(r"<(?:p|li)>", html)) >= 3
    assert 'aria-current="page"' in html[html.index("<footer"):]


def test_the_owners_markdown_replaces_the_default_and_cannot_inject_markup(own_app, tmp_path):
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "privacy.md").write_text(
        "# Our privacy promise\n\nWe keep *nothing*.\n\n<script>alert(1)</script>\n\n"
        "[click](javascript:alert(1)) and [mail us](mailto:hi@example.com)\n",
        encoding="utf-8")
    app = own_app()
    response = app.test_client().get("/privacy")
    html = response.get_data(as_text=True)
    assert "<title>Our privacy promise · Kitchen &amp; Table</title>" in html
    assert "<em>nothing</em>" in html
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="javascript:' not in html
    assert '<a href="mailto:hi@example.com">mail us</a>' in html
    assert app.test_client().get("/terms").status_code == 200  # the others keep the default


def test_a_page_title_is_its_first_heading():
    page = render_page("Intro\n\n## Returns\n\nWithin 30 days.")
    assert page.title == "Returns"
    assert "<h2>Returns</h2>" in page.html


def add(client, product_id, quantity=1, *, json=False, next_url="/"):
    headers = {"Accept": "application/json"} if json else {}
    return client.post("/cart/add", headers=headers, data={
        "csrf_token": csrf_token_from(client), "product_id": product_id,
        "quantity": quantity, "next": next_url})


def test_adding_in_the_background_answers_the_message_and_the_new_count(client, make_product):
    apron = make_product(name="Apron", stock=5)
    answer = add(client, apron, json=True)
    assert answer.status_code == 200
    assert answer.json == {"message": "Added Apron to your cart", "productId": apron,
                           "inCart": 1, "cartCount": 1, "cartUrl": "/cart"}
    answer = add(client, apron, 2, json=True)
    assert answer.json["message"] == "Added 2 × Apron to your cart (3 in the cart)"
    assert answer.json["cartCount"] == 3
    # Nothing is left flashed for the next page: the script showed the message already.
    assert "Added" not in client.get("/cart").get_data(as_text=True)


@pytest.mark.parametrize(("quantity", "status", "words"), [
    (0, 400, "Choose from 1 to"), ("x", 400, "Enter a whole number."),
    (9, 409, None),
])
def test_adding_in_the_background_refuses_with_a_problem(client, make_product, quantity,
                                                          status, words):
    apron = make_product(name="Apron", stock=5)
    answer = add(client, apron, quantity, json=True)
    assert answer.status_code == status
    assert answer.mimetype == "application/problem+json"
    assert answer.json["detail"] and (words is None or words in answer.json["detail"])
    assert client.get("/cart").get_data(as_text=True).count('class="cart-line') == 0


def test_without_a_script_the_message_comes_back_kept_in_view(client, make_product):
    make_product(name="Bowl")
    apron = make_product(name="Apron")
    response = add(client, apron, next_url=f"/?sort=price#product-{apron}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/?sort=price#product-{apron}"
    html = client.get("/?sort=price").get_data(as_text=True)
    flashes = html[html.index('<div class="flashes'):]
    flashes = flashes[:flashes.index('<div class="page-head">')]
    assert flashes.startswith('<div class="flashes flashes-sticky">')  # stays at the top
    assert 'Added Apron to your cart · <a href="/cart">View cart</a>' in flashes
    # The cards hold nothing of one visitor's (the catalog page may be kept and shared).
    assert html.count('<p class="added-message" role="status" data-added-message></p>') == 2
    assert "Added Apron" not in client.get("/").get_data(as_text=True)  # shown once
    # Other messages do not stick to the top.
    html = client.post("/cart/clear", data={"csrf_token": csrf_token_from(client)},
                       follow_redirects=True).get_data(as_text=True)
    assert '<div class="flashes">' in html


def test_the_catalog_cards_come_back_to_the_same_page(client, make_product):
    apron = make_product(name="Apron")
    html = client.get("/?q=apron&sort=price").get_data(as_text=True)
    assert f'name="next" value="/?q=apron&amp;sort=price#product-{apron}"' in html


def test_the_product_page_shows_category_stock_and_breadcrumbs(app, client, make_product):
    from shop.catalog.models import Category, Product

    with app.app_context():
        category = Category(name="Cookware", slug="cookware")
        db.session.add(category)
        db.session.flush()
        pan = db.session.get(Product, make_product(name="Skillet", stock=3))
        pan.category_id = category.id
        db.session.commit()
        pan_id = pan.id
    html = client.get(f"/catalog/{pan_id}").get_data(as_text=True)
    crumbs = html[html.index('aria-label="Breadcrumb"'):html.index("</nav>", html.index(
        'aria-label="Breadcrumb"'))]
    assert '<a href="/">Catalog</a>' in crumbs
    assert '<a href="/?category=cookware">Cookware</a>' in crumbs
    assert '<span aria-current="page">Skillet</span>' in crumbs
    assert "Only 3 left" in html
    assert 'width="960"' in html  # the larger picture


@pytest.mark.parametrize(("path", "title"), [
    ("/no-such-page", "Not found"), ("/catalog/999999", "Not found"),
])
def test_error_pages_speak_the_shops_words(client, path, title):
    response = client.get(path)
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert f"<h1>{title}</h1>" in html
    assert f"<title>{title} · " in html
    for words in WERKZEUG_WORDS:
        assert words not in html


def test_a_wrong_method_page_speaks_the_shops_words(client):
    response = client.get("/cart/add")
    html = response.get_data(as_text=True)
    assert response.status_code == 405
    assert "<h1>Not allowed</h1>" in html and "The method is not allowed" not in html


@pytest.mark.parametrize(("fields", "expected"), [
    ({"email": "", "password": "", "confirm": ""},
     ["Enter your email address.", "Choose a password of at least 8 characters.",
      "Type the password again."]),
    ({"email": "ann", "password": "short", "confirm": "short"},
     ["it needs an @, as in name@example.com.", "Choose a password of at least 8 characters."]),
])
def test_register_form_messages_are_the_shops_own(client, fields, expected):
    html = client.post("/register", data={"csrf_token": csrf_token_from(client),
                                          **fields}).get_data(as_text=True)
    for message in expected:
        assert message in html
    for words in WTFORMS_WORDS:
        assert words not in html


def test_login_and_token_form_messages_are_the_shops_own(client, make_user):
    html = client.post("/login", data={"csrf_token": csrf_token_from(client), "email": "",
                                       "password": ""}).get_data(as_text=True)
    assert "Enter your email address." in html and "Enter your password." in html
    make_user("ann@example.com")
    log_in(client, "ann@example.com")
    html = client.post("/account", data={"csrf_token": csrf_token_from(client),
                                         "name": ""}).get_data(as_text=True)
    assert "Give the token a name" in html
    for words in WTFORMS_WORDS:
        assert words not in html


def test_the_demo_cart_is_offered_in_test_mode(client):
    assert "Try the demo cart" in client.get("/cart").get_data(as_text=True)


@pytest.mark.parametrize("app_config", [{"STRIPE_SECRET_KEY": "sk_test_storefront",
                                         "STRIPE_PUBLISHABLE_KEY": "pk_test_storefront"}],
                         indirect=True)
def test_a_live_shop_offers_no_demo_cart(client):
    assert "demo cart" not in client.get("/cart").get_data(as_text=True)
    response = client.post("/cart/demo", data={"csrf_token": csrf_token_from(client)})
    assert response.status_code == 404


def test_order_pages_list_lines_in_the_carts_order(app, client, make_user, make_product):
    """The cart sorts its lines by product name; the order's pages follow it, whatever order
    the items were placed in."""
    zest = make_product(name="Zester")
    apron = make_product(name="Apron")
    mug = make_product(name="Mug")
    make_user("ann@example.com")
    make_user("sales@example.com", staff=True)
    with app.app_context():
        order, _ = orders.place_order(accounts.user_by_email("ann@example.com"),
                                      {zest: 1, mug: 1, apron: 1})
        order_id = order.id
    for product in (zest, mug, apron):
        add(client, product)
    names = ["Apron", "Mug", "Zester"]

    def order_of(html: str) -> list[str]:
        return sorted(names, key=lambda name: html.index(name))

    assert order_of(client.get("/cart").get_data(as_text=True)) == names
    log_in(client, "ann@example.com")
    assert order_of(client.get("/checkout").get_data(as_text=True)) == names
    assert order_of(client.get(f"/account/orders/{order_id}").get_data(as_text=True)) == names
    history = client.get("/account/orders").get_data(as_text=True)
    assert order_of(history[history.index('class="order-items"'):]) == names
    staff = app.test_client()
    log_in(staff, "sales@example.com")
    assert order_of(staff.get(f"/staff/orders/{order_id}").get_data(as_text=True)) == names


def test_staff_product_form_messages_are_the_shops_own(client, make_user):
    make_user("sales@example.com", staff=True)
    log_in(client, "sales@example.com")
    html = client.post("/staff/products/new", data={
        "csrf_token": csrf_token_from(client), "name": " ", "price": "$12", "stock": "x",
    }).get_data(as_text=True)
    for message in ("Give the product a name.", "Enter a price such as 12.50",
                    "Enter a whole number, such as 12 or -3."):
        assert message in html
    for words in (*WTFORMS_WORDS, "should have at least", "Input should be"):
        assert words not in html


@pytest.mark.parametrize("app_config", [{"SHOP_NAME": "Birch & Bramble",
                                         "SHOP_TAGLINE": "Pottery from Devon."}], indirect=True)
def test_mail_carries_the_brand_and_lists_lines_as_the_cart_does(app, make_user, make_product):
    from shop.mail.models import OutboxMessage
    from shop.mail.notifications import order_status_changed

    zest, apron = make_product(name="Zester"), make_product(name="Apron")
    make_user("ann@example.com")
    with app.app_context():
        order, _ = orders.place_order(accounts.user_by_email("ann@example.com"),
                                      {zest: 1, apron: 2})
        order_status_changed(order, "paid")
        mail = db.session.scalars(db.select(OutboxMessage)
                                  .where(OutboxMessage.kind == "order-paid")).one()
        text, html = mail.text_body, mail.html_body
        db.session.rollback()
    assert 'class="brand"' in html and ">Birch &amp; Bramble</a>" in html
    assert "Birch &amp; Bramble · Pottery from Devon." in html
    assert "/contact" in html and "Shop</a>" not in html
    assert text.rstrip().endswith("/contact")
    assert "Birch & Bramble · Pottery from Devon." in text
    for body in (text, html):
        assert body.index("Apron") < body.index("Zester")
