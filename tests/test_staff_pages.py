"""The staff pages: the lead board and order management, and who may see them."""

import re
from datetime import timedelta

import pytest

from shop.database import utcnow
from shop.extensions import db
from shop.leads import services as leads
from shop.orders.models import Order, OrderItem
from tests.helpers import log_in


@pytest.fixture
def staff_browser(client, make_user):
    make_user("sales@example.com", staff=True)
    log_in(client, "sales@example.com")
    return client


@pytest.fixture
def make_orders(app, make_user, make_product):
    """make_orders([(email, status), …]): orders placed a minute apart, oldest first; their ids."""
    product_id = make_product()

    def make(email_and_status):
        return _make_orders(app, email_and_status, make_user, product_id)

    return make


def _make_orders(app, email_and_status, make_user, product_id) -> list[int]:
    users: dict[str, int] = {}
    for email, _ in email_and_status:
        if email not in users:
            users[email] = make_user(email)
    ids = []
    with app.app_context():
        start = utcnow() - timedelta(days=1)
        for n, (email, status) in enumerate(email_and_status):
            order = Order(user_id=users[email], status=status, amount_in_cents=1500 + n,
                          currency="usd", created_at=start + timedelta(minutes=n),
                          items=[OrderItem(product_id=product_id, name=f"Mug {n}",
                                           price_in_cents=1500 + n, quantity=1)])
            db.session.add(order)
            db.session.flush()
            ids.append(order.id)
        db.session.commit()
    return ids


# --- access ------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/staff/leads", "/staff/orders", "/staff/orders/1"])
def test_staff_pages_send_anonymous_visitors_to_log_in_and_refuse_customers(client, make_user,
                                                                           path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=" + path
    make_user("ann@example.com")
    log_in(client, "ann@example.com")
    response = client.get(path)
    assert response.status_code == 403
    assert "text/html" in response.content_type


def test_the_nav_shows_staff_links_only_to_staff(client, make_user, staff_browser):
    page = staff_browser.get("/staff/leads").get_data(as_text=True)
    assert 'href="/staff/orders"' in page and 'href="/staff/leads" aria-current="page"' in page
    other = client.application.test_client()
    make_user("ann@example.com")
    log_in(other, "ann@example.com")
    assert 'href="/staff/leads"' not in other.get("/").get_data(as_text=True)


# --- the board ---------------------------------------------------------------------------------

def test_the_board_shows_columns_in_status_order_with_their_cards(app, staff_browser):
    with app.app_context():
        won = leads.create_status("Won", 3).id
        new = leads.create_status("New", 1).id
        contacted = leads.create_status("Contacted", 2).id
        leads.create_lead(dict(name="Ada Byrne", value_in_cents=240000), new)
        leads.create_lead(dict(name="Tomás Ruiz"), new, position=1)
        leads.create_lead(dict(name="Mei Chen", company="Lotus"), won)
    html = staff_browser.get("/staff/leads").get_data(as_text=True)
    board = html.split('<template id="status-column-template">')[0]
    columns = re.findall(r'<section class="lead-column" data-status-id="(\d+)"', board)
    assert columns == [str(new), str(contacted), str(won)]
    assert board.count("data-drag-handle") == 3
    new_column = board.split(f'data-status-id="{new}"')[1].split("</section>")[0]
    assert re.findall(r'class="lead-name"[^>]*>([^<]+)<', new_column) == ["Tomás Ruiz",
                                                                          "Ada Byrne"]
    assert "$2,400.00" in new_column
    assert 'aria-label="Move Won left"' in html and 'aria-label="Move Ada Byrne down"' in html
    assert "vendor/sortablejs/Sortable.min.js" in html and "css/staff.css" in html


def test_the_board_escapes_names_in_its_labels(app, staff_browser):
    with app.app_context():
        status = leads.create_status('<i>"Q3" & on</i>').id
        leads.create_lead(dict(name="<script>x()</script> O'Neil"), status)
    html = staff_browser.get("/staff/leads").get_data(as_text=True)
    assert "<script>x()" not in html and "<i>" not in html
    assert ('data-lead-label="Edit {name}" '
            'aria-label="Edit &lt;script&gt;x()&lt;/script&gt; O&#39;Neil"') in html
    assert ('data-status-label="Rename {name}" '
            'aria-label="Rename &lt;i&gt;&#34;Q3&#34; &amp; on&lt;/i&gt;"') in html
    # The blank copies for the script keep the bare pattern.
    assert 'data-lead-label="Move {name} up" aria-label="Move  up"' in html


def test_the_board_takes_the_same_queries_for_3_or_30_leads(app, staff_browser, count_queries):
    with app.app_context():
        statuses = [leads.create_status(name).id for name in ("New", "Contacted", "Won")]

    def add(count):
        with app.app_context():
            for n in range(count):
                leads.create_lead(dict(name=f"Lead {n}"), statuses[n % 3])

    add(3)
    with count_queries() as few:
        assert staff_browser.get("/staff/leads").get_data(as_text=True).count(
            'class="lead-card"') == 3 + 1
    add(27)
    with count_queries() as many:
        assert staff_browser.get("/staff/leads").get_data(as_text=True).count(
            'class="lead-card"') == 30 + 1
    assert len(many) == len(few)


# --- orders ----------------------------------------------------------------------------------

def order_ids_on(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr data-order-id="(\d+)"', html)]


def test_every_order_newest_first_with_filters(make_orders, staff_browser):
    ids = make_orders([("ann@example.com", "pending"), ("bob@example.com", "paid"),
                            ("ann@example.com", "paid"), ("carl@shop.test", "shipped")])
    html = staff_browser.get("/staff/orders").get_data(as_text=True)
    assert order_ids_on(html) == ids[::-1]
    assert "ann@example.com" in html and "carl@shop.test" in html
    assert order_ids_on(staff_browser.get("/staff/orders?status=paid").get_data(as_text=True)) \
        == [ids[2], ids[1]]
    assert order_ids_on(staff_browser.get("/staff/orders?status=Paid&email=ANN")
                        .get_data(as_text=True)) == [ids[2]]
    assert order_ids_on(staff_browser.get("/staff/orders?email=shop.test")
                        .get_data(as_text=True)) == [ids[3]]
    empty = staff_browser.get("/staff/orders?email=nobody").get_data(as_text=True)
    assert order_ids_on(empty) == [] and "No orders match these filters." in empty
    assert staff_browser.get("/staff/orders?status=lost").status_code == 400
    assert staff_browser.get("/staff/orders?page=0").status_code == 400


def test_orders_come_in_small_pages_with_next_and_prev_links(make_orders, staff_browser):
    from shop.orders.views import STAFF_PAGE_SIZE as PAGE_SIZE

    ids = make_orders([("ann@example.com", "paid")] * (PAGE_SIZE + 3))
    first = staff_browser.get("/staff/orders?status=paid")
    assert order_ids_on(first.get_data(as_text=True)) == ids[::-1][:PAGE_SIZE]
    assert first.headers["Link"] == '</staff/orders?status=paid&page=2>; rel="next"'
    html = first.get_data(as_text=True)
    assert 'rel="next" href="/staff/orders?status=paid&amp;page=2"' in html
    assert 'rel="prev"' not in html

    second = staff_browser.get("/staff/orders?status=paid&page=2")
    assert order_ids_on(second.get_data(as_text=True)) == ids[::-1][PAGE_SIZE:]
    assert second.headers["Link"] == '</staff/orders?status=paid>; rel="prev"'
    assert 'rel="next"' not in second.get_data(as_text=True)


def test_the_order_list_takes_the_same_queries_for_3_or_13_orders(make_orders, staff_browser,
                                                                  count_queries):
    make_orders([(f"c{n}@example.com", "paid") for n in range(3)])
    staff_browser.get("/staff/orders")
    with count_queries() as few:
        staff_browser.get("/staff/orders")
    make_orders([(f"d{n}@example.com", "paid") for n in range(10)])
    with count_queries() as many:
        html = staff_browser.get("/staff/orders").get_data(as_text=True)
    assert len(order_ids_on(html)) == 13
    assert len(many) == len(few)


@pytest.mark.parametrize(("status", "buttons"), [
    ("pending", ["Mark as paid", "Cancel order"]),
    ("paid", ["Mark as shipped", "Mark as completed", "Refund"]),
    ("shipped", ["Mark as completed", "Refund"]),
    ("completed", ["Refund"]),
    ("cancelled", []),
    ("refunded", []),
])
def test_an_order_page_offers_exactly_the_allowed_transitions(make_orders, staff_browser,
                                                              status, buttons):
    (order_id,) = make_orders([("ann@example.com", status)])
    html = staff_browser.get(f"/staff/orders/{order_id}").get_data(as_text=True)
    assert re.findall(r'data-status="\w+"[^>]*>([^<]+)</button>', html) == buttons
    assert "ann@example.com" in html and "Mug 0" in html
    if not buttons:
        assert "that is final" in html


def test_an_unknown_order_page_is_404(staff_browser):
    assert staff_browser.get("/staff/orders/999").status_code == 404
