"""The schema classes are the one declaration of each shape: errors, limits and the document."""

import re

import pytest

from shop.leads.schemas import MAX_LEAD_NAME, NewLead, lead_form_limits
from shop.openapi import document
from shop.orders.status import OrderStatus
from shop.schemas import max_length_of
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
