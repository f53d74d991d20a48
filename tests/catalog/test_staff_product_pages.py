"""The staff's product pages and the catalog page's search, categories, sorting and paging."""

import io
import os
import re

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests.helpers import csrf_token_from, log_in, test_config


@pytest.fixture
def app_config(tmp_path, database):
    return test_config(tmp_path, SHOP_MEDIA_DIR=str(tmp_path / "media"))


@pytest.fixture
def boss(client, make_user):
    make_user("boss@example.com", staff=True)
    log_in(client, "boss@example.com")
    return client


def test_staff_add_edit_picture_and_restock_a_product_on_the_pages(boss, staff):
    kitchen = staff.post("/categories", json={"name": "Kitchen"}).json
    token = csrf_token_from(boss)
    assert ">Products</a>" in boss.get("/staff/products").get_data(as_text=True)
    created = boss.post("/staff/products/new", data={
        "csrf_token": token, "name": "Bread Knife", "sku": "KN-2", "price": "24.50",
        "stock": "4", "category_id": str(kitchen["id"]), "description": "Serrated.",
        "active": "y"})
    assert created.status_code == 302
    pid = int(created.headers["Location"].rsplit("/", 1)[1])
    product = staff.get(f"/products/{pid}").json
    assert (product["priceInCents"], product["stock"], product["category"]["slug"]) == (
        2450, 4, "kitchen")

    edited = boss.post(f"/staff/products/{pid}", data={
        "csrf_token": token, "name": "Bread Knife", "sku": "KN-2", "price": "26",
        "category_id": "", "description": "Serrated, 22 cm.", "active": "y"})
    assert edited.status_code == 302
    assert staff.get(f"/products/{pid}").json["priceInCents"] == 2600

    image = io.BytesIO()
    Image.new("RGB", (300, 300), (10, 120, 40)).save(image, "PNG")
    image.seek(0)
    uploaded = boss.post(f"/staff/products/{pid}/image", data={
        "csrf_token": token, "image": (image, "knife.png", "image/png")},
        content_type="multipart/form-data")
    assert uploaded.status_code == 302
    assert staff.get(f"/products/{pid}").json["imageUrl"].endswith("-960.jpg")

    boss.post(f"/staff/products/{pid}/stock", data={"csrf_token": token, "change": "-9",
                                                    "reason": "lost"})
    refused = boss.get(f"/staff/products/{pid}").get_data(as_text=True)
    assert "would go below zero" in refused
    boss.post(f"/staff/products/{pid}/stock", data={"csrf_token": token, "change": "12",
                                                    "reason": "delivery"})
    page = boss.get(f"/staff/products/{pid}").get_data(as_text=True)
    assert "Stock: 16" in page and "delivery" in page and "boss@example.com" in page
    assert "opening stock" in page


def test_bad_form_input_shows_the_problem_and_saves_nothing(boss, client):
    token = csrf_token_from(boss)
    for data in ({"name": "", "price": "1.00"}, {"name": "Mug", "price": "-1"},
                 {"name": "Mug", "price": "1.234"}):
        response = boss.post("/staff/products/new", data={"csrf_token": token, **data})
        assert response.status_code == 200
        assert 'role="alert"' in response.get_data(as_text=True)
    assert client.get("/products").json == []


def test_the_product_list_filters_search_and_low_stock(boss, staff):
    for name, stock, active in (("Mug", 3, True), ("Pot", 40, True), ("Old Jug", 9, False)):
        pid = staff.post("/products", json={"name": name, "priceInCents": 100,
                                            "stock": stock}).json["id"]
        if not active:
            staff.delete(f"/products/{pid}")

    def rows(query=""):
        html = boss.get(f"/staff/products{query}").get_data(as_text=True)
        return re.findall(r'<td><a href="/staff/products/\d+">([^<]+)</a>', html)

    assert rows() == ["Mug", "Pot"]
    assert rows("?low=1") == ["Mug"]
    assert rows("?archived=1") == ["Old Jug"]
    assert rows("?archived=all&q=jug") == ["Old Jug"]
    assert rows("?archived=all&q=pot") == ["Pot"]
    assert "Low: 3" in boss.get("/staff/products").get_data(as_text=True)


def test_customers_cannot_open_the_staff_pages(client, make_user):
    make_user("shopper@example.com")
    log_in(client, "shopper@example.com")
    assert client.get("/staff/products").status_code == 403
    assert client.get("/staff/products/new").status_code == 403


def test_the_catalog_page_searches_sorts_and_pages(client, staff):
    kitchen = staff.post("/categories", json={"name": "Kitchen"}).json
    for n in range(30):
        staff.post("/products", json={"name": f"Bowl {n:02d}", "priceInCents": 100 + n,
                                      "stock": 5, "categoryId": kitchen["id"] if n < 3
                                      else None})
    page = client.get("/").get_data(as_text=True)
    assert '<label for="catalog-q">Search</label>' in page
    assert 'href="/?category=kitchen"' in page and 'rel="next"' in page
    assert page.count('class="product-card"') == 24
    second = client.get("/?page=2").get_data(as_text=True)
    assert second.count('class="product-card"') == 6
    found = client.get("/?q=Bowl+07").get_data(as_text=True)
    assert "Bowl 07" in found
    by_price = client.get("/?sort=-price").get_data(as_text=True)
    assert by_price.index("Bowl 29") < by_price.index("Bowl 28")
    shelf = client.get("/?category=kitchen").get_data(as_text=True)
    assert shelf.count('class="product-card"') == 3
    assert client.get("/?sort=nope").status_code == 400


def test_a_picture_above_the_app_wide_body_limit_uploads_on_the_page(boss, staff):
    pid = staff.post("/products", json={"name": "Mug", "priceInCents": 100}).json["id"]
    noisy = Image.frombytes("RGB", (1000, 1000), os.urandom(1000 * 1000 * 3))
    image = io.BytesIO()
    noisy.save(image, "PNG")
    assert 1024 * 1024 < image.tell() < 5 * 1024 * 1024
    image.seek(0)
    # Encoded in memory: the test client would spool a body this large to a file it never
    # closes.
    boundary, body = encode_multipart({"csrf_token": csrf_token_from(boss),
                                       "image": FileStorage(image, "big.png",
                                                            content_type="image/png")})
    response = boss.post(f"/staff/products/{pid}/image", data=body,
                         content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 302
    assert staff.get(f"/products/{pid}").json["imageUrl"].startswith("/media/")


def test_the_navigation_marks_products_not_the_catalog_on_staff_pages(boss):
    html = boss.get("/staff/products").get_data(as_text=True)
    assert re.search(r'<a href="/staff/products" aria-current="page">Products</a>', html)
    assert not re.search(r'<a href="/" aria-current="page">Catalog</a>', html)
