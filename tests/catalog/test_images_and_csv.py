"""Product images (Pillow) and the catalog as CSV."""

import io

import pytest
from PIL import Image

from tests.helpers import test_config


@pytest.fixture
def app_config(tmp_path, database):
    return test_config(tmp_path, SHOP_MEDIA_DIR=str(tmp_path / "media"))


def photo(fmt="JPEG", size=(1200, 800), orientation=None, mode="RGB") -> bytes:
    image = Image.new(mode, size, (200, 30, 30) if mode == "RGB" else (200, 30, 30, 128))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    if orientation:
        exif[0x0112] = orientation
    out = io.BytesIO()
    image.save(out, fmt, exif=exif.tobytes()) if fmt != "PNG" else image.save(out, fmt)
    return out.getvalue()


@pytest.fixture
def pid(staff):
    return staff.post("/products", json={"name": "Mug", "priceInCents": 1400,
                                         "stock": 3}).json["id"]


def put(staff, pid, data, content_type="image/jpeg"):
    return staff.put(f"/products/{pid}/image", data=data, content_type=content_type)


def test_an_upload_is_re_encoded_in_two_sizes_and_two_formats(app, client, staff, pid, tmp_path):
    response = put(staff, pid, photo(orientation=6))
    assert response.status_code == 200, response.json
    url = response.json["imageUrl"]
    assert url.startswith("/media/") and url.endswith("-960.jpg")
    key = url.removeprefix("/media/").removesuffix("-960.jpg")
    files = sorted(p.name for p in (tmp_path / "media").iterdir())
    assert files == sorted(f"{key}-{edge}.{fmt}" for edge in (480, 960)
                           for fmt in ("jpg", "webp"))

    served = client.get(url)
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert "immutable" in served.headers["Cache-Control"]
    assert "max-age=31536000" in served.headers["Cache-Control"]
    image = Image.open(io.BytesIO(served.data))
    assert image.size == (960, 960)
    assert not image.getexif() and "exif" not in image.info and "icc_profile" not in image.info
    served.close()
    webp = client.get(url.replace(".jpg", ".webp").replace("960", "480"))
    assert Image.open(io.BytesIO(webp.data)).format == "WEBP"
    webp.close()

    page = client.get(f"/catalog/{pid}").get_data(as_text=True)
    assert f"/media/{key}-960.webp" in page and f"/media/{key}-960.jpg" in page
    assert f"/media/{key}-480.webp" in client.get("/").get_data(as_text=True)


def test_orientation_is_applied_before_the_metadata_goes(app, staff, pid, tmp_path):
    tall = Image.new("RGB", (300, 600), (0, 0, 0))
    tall.paste((255, 255, 255), (0, 0, 300, 300))  # white on top as the camera saw it
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 3  # rotated 180°: upright, white is at the bottom
    tall.save(out, "JPEG", exif=exif.tobytes())
    url = put(staff, pid, out.getvalue()).json["imageUrl"]
    image = Image.open(tmp_path / "media" / url.removeprefix("/media/")).convert("L")
    assert image.getpixel((480, 900)) > 200 and image.getpixel((480, 60)) < 50


def test_transparent_png_keeps_a_png_fallback(staff, pid):
    response = put(staff, pid, photo("PNG", mode="RGBA"), "image/png")
    assert response.status_code == 200 and response.json["imageUrl"].endswith(".png")


@pytest.mark.parametrize("data,content_type,status", [
    (b"not an image at all", "image/jpeg", 422),
    (b"", "image/png", 422),
    (photo()[:200], "image/jpeg", 422),
    (b"GIF89a....", "image/gif", 415),
    (b"x", "application/octet-stream", 415),
])
def test_bad_uploads_are_refused_and_change_nothing(staff, pid, data, content_type, status):
    response = put(staff, pid, data, content_type)
    assert response.status_code == status, response.json
    assert response.mimetype == "application/problem+json"
    assert staff.get(f"/products/{pid}").json["imageUrl"] is None


def test_an_upload_above_5_mb_is_413(staff, pid):
    response = put(staff, pid, b"\xff" * (5 * 1024 * 1024 + 1))
    assert response.status_code == 413 and response.mimetype == "application/problem+json"


def test_unknown_product_image_is_404(staff):
    assert put(staff, 424242, photo()).status_code == 404


# --- CSV -------------------------------------------------------------------------------------

HEADER = "sku,name,description,price,stock,category,active\r\n"


def post_csv(staff, text: str):
    return staff.post("/products/import", data=text.encode(), content_type="text/csv")


def test_import_creates_then_updates_by_sku_through_the_ledger(staff, ledger_agrees):
    staff.post("/categories", json={"name": "Kitchen"})
    first = post_csv(staff, HEADER + "MUG-1,Mug,\"Stoneware, 350 ml\",14.00,10,kitchen,true\r\n"
                     "POT-1,Teapot,,42.5,0,,false\r\n")
    assert first.status_code == 200, first.json
    assert first.json == {"created": 2, "updated": 0}
    again = post_csv(staff, HEADER + "MUG-1,Mug,\"Stoneware, 350 ml\",15.00,7,Kitchen,true\r\n"
                     "POT-1,Teapot,,42.50,0,,false\r\n")
    assert again.json == {"created": 0, "updated": 1}
    products = {p["sku"]: p for p in staff.get("/products?active=all").json}
    assert products["MUG-1"]["priceInCents"] == 1500 and products["MUG-1"]["stock"] == 7
    assert products["MUG-1"]["category"]["slug"] == "kitchen"
    assert products["POT-1"]["active"] is False and products["POT-1"]["priceInCents"] == 4250
    history = staff.get(f"/products/{products['MUG-1']['id']}/stock").json
    assert [(h["change"], h["reason"], h["stockAfter"]) for h in history] == [
        (-3, "import", 7), (10, "import", 10)]
    ledger_agrees()

    exported = staff.get("/products/export.csv")
    assert exported.mimetype == "text/csv"
    text = exported.get_data(as_text=True)
    assert text.startswith(HEADER)
    assert 'MUG-1,Mug,"Stoneware, 350 ml",15.00,7,kitchen,true\r\n' in text
    assert "POT-1,Teapot,,42.50,0,,false\r\n" in text
    assert post_csv(staff, text).json == {"created": 0, "updated": 0}


def test_a_bad_file_names_each_row_and_column_and_imports_nothing(staff, client):
    response = post_csv(staff, HEADER + "OK-1,Fine,,1.00,1,,true\r\n"
                        "BAD-1,,,12.345,-1,nowhere,maybe\r\n"
                        "OK-1,Twice,,1.00,1,,true\r\n")
    assert response.status_code == 422
    fields = {e["field"] for e in response.json["errors"]}
    assert fields == {"row 3, name", "row 3, price", "row 3, stock", "row 3, category",
                      "row 3, active", "row 4, sku"}
    assert client.get("/products").json == []


@pytest.mark.parametrize("body,content_type,status", [
    ("name,price\r\nMug,1.00\r\n", "text/csv", 422),
    ("", "text/csv", 422),
    ("sku,name", "application/json", 415),
])
def test_wrong_header_or_type(staff, body, content_type, status):
    response = staff.post("/products/import", data=body.encode(), content_type=content_type)
    assert response.status_code == status


def test_a_file_that_is_not_utf8_is_400(staff):
    response = staff.post("/products/import", data=HEADER.encode() + b"\xff\xfe,,\r\n",
                          content_type="text/csv")
    assert response.status_code == 400


def test_5000_rows_import_in_one_request(staff, client):
    rows = "".join(f"SKU-{n},Product {n},Row {n},{n % 90 + 1}.99,{n % 50},,true\r\n"
                   for n in range(5000))
    response = post_csv(staff, HEADER + rows)
    assert response.status_code == 200 and response.json == {"created": 5000, "updated": 0}
    assert client.get("/products?limit=1").headers["X-Total-Count"] == "5000"


@pytest.mark.parametrize("field,column,cell,value", [
    ("name", 1, "n" * 201, "n" * 201),
    ("name", 1, "Mug\x01", "Mug\x01"),
    ("description", 2, "a\x07b", "a\x07b"),
    ("stock", 4, "-3", -3),
])
def test_a_bad_cell_gets_the_words_a_bad_json_field_gets(staff, client, field, column, cell,
                                                         value):
    cells = ["MUG-1", "Mug", "", "1.00", "1", "", "true"]
    cells[column] = cell
    imported = post_csv(staff, HEADER + ",".join(cells) + "\r\n")
    posted = staff.post("/products", json={"name": "Mug", "priceInCents": 100, field: value})
    assert imported.status_code == 422 and posted.status_code == 400
    [csv_error] = imported.json["errors"]
    [json_error] = posted.json["errors"]
    assert csv_error["field"] == f"row 2, {field}" and json_error["field"] == field
    assert csv_error["message"] == json_error["message"]
    assert client.get("/products").json == []


@pytest.mark.parametrize("price,stock", [("1.", "1"), (".5", "1"), ("12.345", "1"),
                                         ("21474836.48", "1"), ("1.00", "²"), ("1.00", "٣"),
                                         ("1.00", "2147483648"), ("-0.50", "1")])
def test_prices_and_stock_are_ascii_digits_within_bounds(staff, price, stock):
    response = post_csv(staff, HEADER + f"MUG-1,Mug,,{price},{stock},,true\r\n")
    assert response.status_code == 422
    assert {e["column"] for e in response.json["errors"]} == (
        {"price"} if stock == "1" else {"stock"})


def test_the_largest_price_and_stock_the_database_holds_are_taken(staff):
    response = post_csv(staff, HEADER + "MUG-1,Mug,,21474836.47,2147483647,,true\r\n")
    assert response.status_code == 200, response.json
    [product] = staff.get("/products").json
    assert product["priceInCents"] == 2**31 - 1 and product["stock"] == 2**31 - 1
