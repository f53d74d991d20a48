"""Every parser at the boundary, fed generated input: a 2xx or a 4xx problem, never a 5xx.

Hypothesis generates any JSON value (and values shaped almost like each body) for every JSON
endpoint, and any text for every query argument and cart form field, through the test client.
"""

import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shop.leads import services as leads
from shop.schemas import MAX_JSON_DEPTH, parse_integer
from tests.helpers import csrf_token_from, log_in

PROBLEM = "application/problem+json"
# Per endpoint; raise it for a longer hunt (SHOP_HYPOTHESIS_EXAMPLES=1000).
EXAMPLES = int(os.environ.get("SHOP_HYPOTHESIS_EXAMPLES", "40"))

# Text of every kind, lone surrogates and control characters included.
any_text = st.one_of(
    st.text(st.characters(exclude_categories=()), max_size=40),
    st.sampled_from(["²", "١٢", "--1", "-1", "0", "1", " 1", "1.0", "1e3", "9" * 5000,
                     str(2**31), str(2**31 - 1), str(10**20), "\x00", "\ud800", "", " ",
                     "PAID", "Pending", "all", "a@b", "x" * 300]),
)
# What a URL can carry: any text that UTF-8 encodes (a query string has no lone surrogates).
url_text = any_text.filter(lambda text: not any("\ud800" <= c <= "\udfff" for c in text))
any_int = st.one_of(st.integers(), st.sampled_from([0, -1, 2**31 - 1, 2**31, 2**63, 10**40]))
scalars = st.one_of(st.none(), st.booleans(), any_int, st.floats(allow_nan=True), any_text)
any_json = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(any_text, inner, max_size=4)),
    max_leaves=12,
)


def shaped(*fields: str):
    """Objects made of a body's own field names with any values: they reach the deep checks."""
    return st.fixed_dictionaries({}, optional={name: any_json for name in fields})


BODIES = {
    ("post", "/orders/new"): st.one_of(
        any_json, st.lists(st.one_of(any_json, shaped("id", "quantity", "name")), max_size=4)),
    ("post", "/orders/status-update"): st.one_of(any_json, shaped("orderId", "status")),
    ("post", "/payments/test/confirm"): st.one_of(any_json, shaped("clientSecret",
                                                                   "cardNumber")),
    ("post", "/leads/statuses"): st.one_of(any_json, shaped("name", "statusOrder")),
    ("patch", "/leads/statuses/{status}"): st.one_of(any_json, shaped("name", "statusOrder")),
    ("put", "/leads/statuses/order"): st.one_of(
        any_json, shaped("id", "statusOrder"), st.lists(shaped("id", "statusOrder"),
                                                         max_size=3)),
    ("post", "/leads"): st.one_of(any_json, shaped("name", "email", "company", "valueInCents",
                                                   "statusId", "position")),
    ("patch", "/leads/{lead}"): st.one_of(any_json, shaped("name", "email", "company",
                                                           "valueInCents", "statusId",
                                                           "position")),
}

QUERIES = [
    ("get", "/orders", ("status", "limit", "offset", "scope")),
    ("get", "/leads", ("statusId",)),
    ("delete", "/leads/statuses/{spare}", ("moveLeadsTo",)),
    ("get", "/account/orders", ("page",)),
    ("get", "/staff/orders", ("page", "email", "status")),
]


@pytest.fixture
def board(app):
    """Two statuses with a lead, so that ids in generated bodies sometimes name real rows."""
    with app.app_context():
        status = leads.create_status("New").id
        spare = leads.create_status("Spare").id
        lead = leads.create_lead(dict(name="Ada"), status).id
    return {"status": status, "spare": spare, "lead": lead}


def assert_clean(response) -> None:
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    if response.status_code >= 400 and response.request.path != "/staff/orders" \
            and not response.request.path.startswith("/account"):
        assert response.mimetype == PROBLEM
        assert response.json["status"] == response.status_code


def _settings():
    return settings(max_examples=EXAMPLES, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


@pytest.mark.parametrize(("method", "path"), list(BODIES), ids=[f"{m} {p}" for m, p in BODIES])
def test_any_json_body_gets_a_2xx_or_a_4xx_problem(api_as, board, make_product, method, path):
    caller = api_as("staff-h@example.com", staff=True)
    make_product(stock=1000)
    url = path.format(**board)

    @_settings()
    @given(body=BODIES[(method, path)])
    def check(body):
        assert_clean(getattr(caller, method)(url, json=body))

    check()


@pytest.mark.parametrize(("method", "path", "names"), QUERIES,
                         ids=[f"{m} {p}" for m, p, _ in QUERIES])
def test_any_query_argument_gets_a_2xx_or_a_4xx(app, client, make_user, board, method, path,
                                               names):
    make_user("staff-q@example.com", staff=True)
    log_in(client, "staff-q@example.com")
    url = path.format(**board)
    token = csrf_token_from(client)

    @_settings()
    @given(args=st.dictionaries(st.sampled_from(names), url_text, min_size=1))
    def check(args):
        response = getattr(client, method)(url, query_string=args,
                                           headers={"X-CSRFToken": token})
        assert_clean(response)

    check()


@given(value=st.one_of(any_text, any_int, scalars))
@settings(max_examples=300, deadline=None, database=None)
def test_the_integer_rule_takes_ascii_digits_only(value):
    try:
        number = parse_integer(value, text=True)
    except ValueError:
        return
    assert isinstance(number, int) and not isinstance(number, bool)
    if isinstance(value, str):
        assert value.lstrip("-").isascii() and value.lstrip("-").isdigit()
        assert len(value.lstrip("-")) <= 30 and "--" not in value


@pytest.mark.parametrize("value", ["²", "١٢", "--1", "9" * 5000, "1_000", " 1", "1.0", True,
                                   1.0, None, ""])
def test_digits_that_int_would_take_or_choke_on_are_refused(value):
    with pytest.raises(ValueError):
        parse_integer(value, text=True)


@pytest.mark.parametrize("query", ["statusId=99999999999", "statusId=²", "statusId=",
                                   "statusId=--1", "statusId=" + "9" * 5000])
def test_lead_filters_past_the_database_are_400(staff, query):
    response = staff.get(f"/leads?{query}")
    assert response.status_code == 400 and response.json["errors"][0]["field"] == "statusId"


@pytest.mark.parametrize("query", ["limit=²", "offset=", "limit=١٢", "offset=--1",
                                   "offset=" + "9" * 5000])
def test_order_list_arguments_are_400(shopper, query):
    response = shopper.get(f"/orders?{query}")
    assert response.status_code == 400 and response.mimetype == PROBLEM


@pytest.mark.parametrize("page", ["", "²", "١٢", "--1", "9" * 5000])
def test_page_numbers_on_pages_are_400(client, make_user, page):
    make_user("sales@example.com", staff=True)
    log_in(client, "sales@example.com")
    assert client.get(f"/staff/orders?page={page}").status_code == 400
    assert client.get(f"/account/orders?page={page}").status_code == 400


def test_move_leads_to_blank_is_400(staff, board):
    response = staff.delete(f"/leads/statuses/{board['spare']}?moveLeadsTo=")
    assert response.status_code == 400 and response.json["errors"][0]["field"] == "moveLeadsTo"
    assert staff.get(f"/leads/statuses/{board['spare']}").status_code == 200


@pytest.mark.parametrize("order_id", ["²", "١٢", "--1", "9" * 5000, 1.0, True, None])
def test_order_ids_by_the_one_rule(shopper, order_id):
    response = shopper.post("/orders/status-update", json={"orderId": order_id,
                                                           "status": "cancelled"})
    assert response.status_code == 400 and response.json["errors"][0]["field"] == "orderId"


@pytest.mark.parametrize(("field", "value"), [
    ("name", "Ada\x00"), ("name", "Ada\ud800"), ("name", "A\x07da"), ("email", "a\x00@b.c"),
    ("company", "Nort\ud800hwind"), ("company", "North\nwind"),
])
def test_text_with_control_characters_or_lone_surrogates_is_400_naming_the_field(
        staff, board, field, value):
    body = {"name": "Ada", "statusId": board["status"], field: value}
    response = staff.post("/leads", json=body)
    assert response.status_code == 400, response.json
    assert field in {e["field"] for e in response.json["errors"]}
    assert len(staff.get("/leads").json) == 1


@pytest.mark.parametrize("value", ["New\x00", "\ud800", "Ne\x1bw"])
def test_status_names_refuse_control_characters(staff, value):
    response = staff.post("/leads/statuses", json={"name": value})
    assert response.status_code == 400 and response.json["errors"][0]["field"] == "name"


def test_a_client_secret_with_a_nul_is_400(shopper):
    response = shopper.post("/payments/test/confirm",
                            json={"clientSecret": "pi_1\x00", "cardNumber": "4242424242424242"})
    assert response.status_code == 400 and response.json["errors"][0]["field"] == "clientSecret"


def test_an_email_filter_with_a_nul_is_400(client, make_user):
    make_user("sales@example.com", staff=True)
    log_in(client, "sales@example.com")
    assert client.get("/staff/orders?email=a%00b").status_code == 400


def test_a_form_field_with_a_nul_is_refused(client, make_product):
    pid = make_product()
    response = client.post("/cart/add", data={"product_id": str(pid), "quantity": "1\x00",
                                              "csrf_token": csrf_token_from(client)})
    assert response.status_code == 400
    assert "Mug" not in client.get("/cart").get_data(as_text=True)


@pytest.mark.parametrize("quantity", ["²", "١٢", "--1", "9" * 5000, "1_0"])
def test_cart_forms_take_ascii_digits_only(client, make_product, quantity):
    pid = make_product()
    response = client.post("/cart/add", data={"product_id": str(pid), "quantity": quantity,
                                              "csrf_token": csrf_token_from(client)})
    assert response.status_code < 500
    assert "Mug" not in client.get("/cart").get_data(as_text=True)


@pytest.mark.parametrize("body", ["[" * 100_000, "[" * 10_000 + "]" * 10_000,
                                  json.dumps(json.loads("[" * (MAX_JSON_DEPTH + 1)
                                                        + "]" * (MAX_JSON_DEPTH + 1))),
                                  '{"a":' * 5000 + "1" + "}" * 5000])
@pytest.mark.parametrize("path", ["/orders/new", "/leads/statuses/order"])
def test_deeply_nested_bodies_are_400(staff, path, body):
    method = staff.post if path == "/orders/new" else staff.put
    response = method(path, data=body, content_type="application/json")
    assert response.status_code == 400 and response.mimetype == PROBLEM


def test_nesting_within_the_bound_is_judged_by_shape(staff):
    body = "[" * (MAX_JSON_DEPTH - 1) + "]" * (MAX_JSON_DEPTH - 1)
    response = staff.put("/leads/statuses/order", data=body, content_type="application/json")
    assert response.status_code == 400 and "nested" not in response.json["detail"]
