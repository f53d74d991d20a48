"""The schema classes are the one declaration of each shape: errors, limits and the document."""

import re

import pytest

from shop.catalog.csv_io import MAX_NAME
from shop.catalog.schemas import ProductInput
from shop.exceptions import InvalidInput
from shop.leads.schemas import MAX_LEAD_NAME, NewLead, lead_form_limits
from shop.openapi import document
from shop.orders.status import OrderStatus
from shop.schemas import (
    Boolean,
    Integer,
    Refused,
    Schema,
    max_length_of,
    parse_decimal,
    validate,
)
from tests.helpers import log_in


@pytest.mark.parametrize(("body", "field"), [
    ([{"id": 1, "quantity": 0}], "[0].quantity"),
    (["1", {"id": "x"}], "[1].id"),
    (["1", "²"], "[1].id"),
    ([{"id": 1, "quantity": "2.5"}], "[0].quantity"),
])
def test_order_body_errors_name_the_entry_and_field(shopper, make_product, body, field):
    make_product()
    response = shopper.post("/orders/new", json=body)
    assert response.status_code == 400
    assert [e["field"] for e in response.json["errors"]] == [field]


def test_cart_lines_ignore_the_names_and_prices_a_client_sends(shopper, make_product):
    pid = make_product(price=700)
    response = shopper.post("/orders/new", json=[{"id": pid, "quantity": 2, "name": "x",
                                                  "priceInCents": 1}])
    assert response.status_code == 201 and response.json["amountInCents"] == 1400


def test_the_board_dialogs_take_their_maxlength_from_the_lead_schema(client, make_user):
    make_user("sales@example.com", staff=True)
    log_in(client, "sales@example.com")
    page = client.get("/staff/leads").get_data(as_text=True)
    limits = lead_form_limits()
    assert limits["name"] == MAX_LEAD_NAME == max_length_of(NewLead, "name")
    for input_id, key in (("lead-name", "name"), ("lead-email", "email"),
                          ("lead-company", "company"), ("new-status-name", "status_name"),
                          ("rename-name", "status_name")):
        tag = re.search(rf'<input id="{input_id}"[^>]*>', page).group(0)
        assert f'maxlength="{limits[key]}"' in tag


def test_a_name_at_the_limit_is_taken_and_one_past_it_refused(staff):
    status = staff.post("/leads/statuses", json={"name": "New"}).json["id"]
    ok = staff.post("/leads", json={"name": "x" * MAX_LEAD_NAME, "statusId": status})
    assert ok.status_code == 201
    too_long = staff.post("/leads", json={"name": "x" * (MAX_LEAD_NAME + 1), "statusId": status})
    assert too_long.status_code == 400 and too_long.json["errors"][0]["field"] == "name"


def test_the_document_takes_the_status_list_from_the_status_table():
    schemas = document()["components"]["schemas"]
    assert schemas["OrderStatus"]["enum"] == [s.value for s in OrderStatus]
    assert schemas["OrderOut"]["properties"]["status"] == {"$ref": "#/components/schemas/"
                                                                   "OrderStatus"}


def test_every_operation_documents_the_problems_it_can_give():
    for path, operations in document()["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            if operation.get("security") != []:
                assert "401" in codes, (method, path)
            if "requestBody" in operation:
                assert {"400", "413", "415"} <= codes, (method, path)
            if "{id}" in path:
                assert "404" in codes, (method, path)
            if path.startswith("/leads"):
                assert "403" in codes, (method, path)


# --- the shared rules the catalog (and its CSV) use -------------------------------------------

@pytest.mark.parametrize(("text", "cents"), [
    ("12.50", 1250), ("12.5", 1250), ("12", 1200), ("0.01", 1), ("0012.50", 1250),
])
def test_a_decimal_is_ascii_digits_with_at_most_the_places_asked(text, cents):
    assert parse_decimal(text, places=2) == cents


@pytest.mark.parametrize("text", ["12.345", "1.", ".5", "-1.00", "+1", "1,50", "１２", "1²",
                                  "1.2.3", " 1", "", "1e3", 12])
def test_anything_else_is_not_a_decimal(text):
    with pytest.raises(ValueError):
        parse_decimal(text, places=2)


def _not_zero(number: int) -> int:
    if number == 0:
        raise ValueError("Must not be zero.")
    return number


class _Shapes(Schema):
    change: Integer(-10, 10, check=_not_zero)
    flag: Boolean() = None
    old: Refused("Use change instead.") = None


@pytest.mark.parametrize(("body", "field", "message"), [
    ({"change": 0}, "change", "Must not be zero."),
    ({"change": 11}, "change", "Must be a whole number, from -10 to 10."),
    ({"change": 1, "flag": "true"}, "flag", "Input should be a valid boolean."),
    ({"change": 1, "flag": 1}, "flag", "Input should be a valid boolean."),
    ({"change": 1, "old": None}, "old", "Use change instead."),
    ({"change": 1, "old": 5}, "old", "Use change instead."),
])
def test_a_field_rule_speaks_to_the_client_in_its_own_words(body, field, message):
    with pytest.raises(InvalidInput) as refused:
        validate(_Shapes, body)
    assert refused.value.errors == [{"field": field, "message": message}]


def test_a_refused_field_is_declared_as_taking_no_value():
    properties = _Shapes.model_json_schema()["properties"]
    assert properties["old"]["not"] == {} and properties["flag"]["type"] == "boolean"
    assert validate(_Shapes, {"change": -1, "flag": False}).flag is False


def test_catalog_text_is_tidied_by_the_shared_text_rule(staff):
    category = staff.post("/categories", json={"name": "  Table   Ware "})
    assert category.status_code == 201 and category.json["name"] == "Table Ware"
    product = staff.post("/products", json={"name": " Big  Pan ", "priceInCents": 100,
                                            "description": "  Heavy.\nCast iron.  "})
    assert product.json["name"] == "Big Pan"
    assert product.json["description"] == "Heavy.\nCast iron."
    assert max_length_of(ProductInput, "name") == MAX_NAME == 200


def test_every_reference_in_the_document_resolves():
    spec = document()

    def refs(node):
        if isinstance(node, dict):
            if "$ref" in node:
                yield node["$ref"]
            for value in node.values():
                yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    names = set(spec["components"]["schemas"])
    found = set(refs(spec))
    assert "#/components/schemas/ProductSort" in found
    assert {ref.rsplit("/", 1)[1] for ref in found} <= names


def test_the_catalog_operations_come_from_the_table():
    paths = document()["paths"]
    listing = paths["/products"]["get"]["responses"]["200"]
    assert set(listing["headers"]) == {"X-Total-Count", "Link"}
    assert set(paths["/products/{id}/stock"]["get"]["responses"]["200"]["headers"]) == {"Link"}
    assert list(paths["/products/export.csv"]["get"]["responses"]["200"]["content"]) == [
        "text/csv"]
    assert list(paths["/products/import"]["post"]["requestBody"]["content"]) == ["text/csv"]
    assert set(paths["/products/{id}/image"]["put"]["requestBody"]["content"]) == {
        "image/jpeg", "image/png", "image/webp"}
    stock = paths["/products/{id}"]["patch"]["requestBody"]["content"]["application/json"]
    assert stock["schema"] == {"$ref": "#/components/schemas/ProductChanges"}
    assert document()["components"]["schemas"]["ProductChanges"]["properties"]["stock"][
        "not"] == {}
    query = {p["name"] for p in paths["/products"]["get"]["parameters"]}
    assert query == {"q", "category", "sort", "limit", "offset", "active"}
