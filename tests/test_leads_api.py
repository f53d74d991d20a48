"""The lead pipeline's JSON API, as the contract's "Lead statuses" section promises it."""

import re

import pytest

from shop.leads import services
from tests.helpers import log_in

PROBLEM = "application/problem+json"


@pytest.fixture
def ids(app):
    """Statuses New(1), Contacted(2), Qualified(3) in that order, and leads A, B in New."""
    with app.app_context():
        ids = {name: services.create_status(name).id for name in ("New", "Contacted", "Qualified")}
        ids["A"] = services.create_lead(dict(name="A"), ids["New"]).id
        ids["B"] = services.create_lead(dict(name="B"), ids["New"]).id
    return ids


def names(response) -> list[str]:
    return [s["name"] for s in response.json]


def order_of(api) -> list[tuple[str, int]]:
    return [(s["name"], s["statusOrder"]) for s in api.get("/leads/statuses").json]


def column(api, status_id: int) -> list[tuple[str, int]]:
    leads = api.get(f"/leads?statusId={status_id}").json
    return [(lead["name"], lead["position"]) for lead in leads]


def assert_problem(response, status: int, *fields: str):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.json
    assert body["status"] == status and body["title"] and body["detail"]
    if fields:
        assert {e["field"] for e in body["errors"]} >= set(fields), body
    return body


# --- PUT /leads/statuses/order -----------------------------------------------------------------

def test_reorder_takes_the_whole_list_and_answers_every_status_in_order(staff, ids):
    body = [{"id": ids["Qualified"], "statusOrder": 1}, {"id": ids["New"], "statusOrder": 2},
            {"id": ids["Contacted"], "statusOrder": 3}]
    response = staff.put("/leads/statuses/order", json=body)
    assert response.status_code == 200
    assert response.json == [
        {"id": ids["Qualified"], "name": "Qualified", "statusOrder": 1},
        {"id": ids["New"], "name": "New", "statusOrder": 2},
        {"id": ids["Contacted"], "name": "Contacted", "statusOrder": 3},
    ]
    assert staff.get("/leads/statuses").json == response.json


def test_the_seeds_example_body_a_single_object_is_a_one_element_array(staff, app):
    with app.app_context():
        won_id = services.create_status("Won", 4).id
        new_id = services.create_status("New", 1).id
    assert won_id < new_id
    response = staff.put("/leads/statuses/order", json={"id": won_id, "statusOrder": 1})
    assert response.status_code == 200
    # Equal statusOrder: the lower id comes first.
    assert response.json == [{"id": won_id, "name": "Won", "statusOrder": 1},
                             {"id": new_id, "name": "New", "statusOrder": 1}]


def test_statuses_not_listed_keep_their_order(staff, ids):
    response = staff.put("/leads/statuses/order", json=[{"id": ids["New"], "statusOrder": 7}])
    assert [(s["name"], s["statusOrder"]) for s in response.json] == [
        ("Contacted", 2), ("Qualified", 3), ("New", 7)]


def test_an_empty_list_changes_nothing(staff, ids):
    response = staff.put("/leads/statuses/order", json=[])
    assert response.status_code == 200
    assert names(response) == ["New", "Contacted", "Qualified"]


@pytest.mark.parametrize(("body", "field"), [
    ([{"statusOrder": 1}], "[0].id"),
    ([{"id": "NEW", "statusOrder": -1}], "[0].statusOrder"),
    ([{"id": "NEW", "statusOrder": "1"}], "[0].statusOrder"),
    ([{"id": "NEW", "statusOrder": 1.5}], "[0].statusOrder"),
    ([{"id": "NEW", "statusOrder": True}], "[0].statusOrder"),
    ([{"id": "NEW", "statusOrder": None}], "[0].statusOrder"),
    ([{"id": "NEW"}], "[0].statusOrder"),
    ([{"id": "1", "statusOrder": 1}], "[0].id"),
    ({"statusOrder": 2}, "id"),
    ({"id": "NEW", "statusOrder": -3}, "statusOrder"),
    ([{"id": "QUALIFIED", "statusOrder": 1}, {"id": "NEW", "statusOrder": 2},
      {"id": "QUALIFIED", "statusOrder": 3}], "[2].id"),
    ([{"id": "NEW", "statusOrder": 2**40}], "[0].statusOrder"),
    ([5, {"id": "NEW", "statusOrder": 2}], "[0]"),
])
def test_reorder_rejects_malformed_entries_and_changes_nothing(staff, ids, body, field):
    def resolve(value):
        return ids[value.title()] if isinstance(value, str) and value.isupper() else value

    entries = body if isinstance(body, list) else [body]
    entries = [{k: resolve(v) for k, v in e.items()} if isinstance(e, dict) else e
               for e in entries]
    before = order_of(staff)
    response = staff.put("/leads/statuses/order",
                         json=entries if isinstance(body, list) else entries[0])
    assert_problem(response, 400, field)
    assert order_of(staff) == before


@pytest.mark.parametrize("body", ["first", 3, {"id": [1], "statusOrder": 1}])
def test_reorder_rejects_bodies_of_the_wrong_shape(staff, ids, body):
    assert_problem(staff.put("/leads/statuses/order", json=body), 400)


def test_unknown_ids_are_all_named_and_nothing_changes(staff, ids):
    body = [{"id": ids["Qualified"], "statusOrder": 1}, {"id": 404, "statusOrder": 2},
            {"id": 2**40, "statusOrder": 3}, {"id": 405, "statusOrder": 4}]
    problem = assert_problem(staff.put("/leads/statuses/order", json=body), 422)
    assert problem["statusIds"] == sorted([404, 405, 2**40])
    assert "404" in problem["detail"] and "405" in problem["detail"]
    assert order_of(staff) == [("New", 1), ("Contacted", 2), ("Qualified", 3)]


def test_json_errors_are_problems_too(staff, ids):
    response = staff.put("/leads/statuses/order", data="[{", content_type="application/json")
    assert_problem(response, 400)
    response = staff.put("/leads/statuses/order", data="id=1", content_type="text/plain")
    assert_problem(response, 415)


@pytest.mark.parametrize(("method", "path"), [
    ("put", "/leads/statuses/order"), ("get", "/leads/statuses"), ("post", "/leads/statuses"),
    ("patch", "/leads/statuses/1"), ("delete", "/leads/statuses/1"), ("get", "/leads"),
    ("post", "/leads"), ("get", "/leads/1"), ("patch", "/leads/1"), ("delete", "/leads/1"),
])
def test_staff_only_401_for_anonymous_and_403_for_customers(client, shopper, ids, method,
                                                            path):
    body = {"json": [{"id": 1, "statusOrder": 1}]} if method in {"put", "post", "patch"} else {}
    anonymous = getattr(client, method)(path, **body)
    assert_problem(anonymous, 401)
    assert anonymous.headers["WWW-Authenticate"].startswith("Bearer")
    assert_problem(getattr(shopper, method)(path, **body), 403)
    assert [s["statusOrder"] for s in services_order(client.application)] == [1, 2, 3]


def services_order(app):
    with app.app_context():
        return [{"statusOrder": s.status_order} for s in services.list_statuses()]


def test_a_browser_session_must_send_the_csrf_token(client, make_user, ids):
    make_user("sales@example.com", staff=True)
    log_in(client, "sales@example.com")
    body = [{"id": ids["Qualified"], "statusOrder": 0}]
    assert_problem(client.put("/leads/statuses/order", json=body), 400)
    assert [s["statusOrder"] for s in services_order(client.application)] == [1, 2, 3]
    page = client.get("/staff/leads").get_data(as_text=True)
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
    response = client.put("/leads/statuses/order", json=body, headers={"X-CSRFToken": token})
    assert response.status_code == 200
    assert names(response)[0] == "Qualified"


# --- statuses ------------------------------------------------------------------------------

def test_create_a_status_appended_last_or_where_asked(staff, ids):
    response = staff.post("/leads/statuses", json={"name": "  Proposal  "})
    assert response.status_code == 201
    assert response.json == {"id": response.json["id"], "name": "Proposal", "statusOrder": 4}
    assert response.headers["Location"].endswith(f"/leads/statuses/{response.json['id']}")
    response = staff.post("/leads/statuses", json={"name": "Inbox", "statusOrder": 0})
    assert response.json["statusOrder"] == 0
    assert names(staff.get("/leads/statuses")) == ["Inbox", "New", "Contacted", "Qualified",
                                                   "Proposal"]


def test_the_first_status_is_number_one(staff):
    assert staff.post("/leads/statuses", json={"name": "New"}).json["statusOrder"] == 1


@pytest.mark.parametrize(("body", "field"), [
    ({}, "name"), ({"name": ""}, "name"), ({"name": "   "}, "name"), ({"name": 5}, "name"),
    ({"name": "x" * 101}, "name"), ({"name": "Ok", "statusOrder": -1}, "statusOrder"),
    ({"name": "Ok", "statusOrder": "2"}, "statusOrder"),
])
def test_create_status_validation(staff, ids, body, field):
    assert_problem(staff.post("/leads/statuses", json=body), 400, field)
    assert len(staff.get("/leads/statuses").json) == 3


def test_rename_a_status(staff, ids):
    response = staff.patch(f"/leads/statuses/{ids['New']}", json={"name": "Fresh"})
    assert response.status_code == 200
    assert response.json == {"id": ids["New"], "name": "Fresh", "statusOrder": 1}
    assert names(staff.get("/leads/statuses"))[0] == "Fresh"


def test_rename_errors(staff, ids):
    assert_problem(staff.patch(f"/leads/statuses/{ids['New']}", json={"name": ""}), 400, "name")
    assert_problem(staff.patch(f"/leads/statuses/{ids['New']}", json={}), 400, "name")
    assert_problem(staff.patch(f"/leads/statuses/{ids['New']}", json=["Fresh"]), 400)
    assert_problem(staff.patch("/leads/statuses/999", json={"name": "Fresh"}), 404)
    assert_problem(staff.patch(f"/leads/statuses/{2**40}", json={"name": "Fresh"}), 404)
    assert names(staff.get("/leads/statuses"))[0] == "New"


def test_delete_an_empty_status(staff, ids):
    response = staff.delete(f"/leads/statuses/{ids['Contacted']}")
    assert response.status_code == 204 and response.data == b""
    assert names(staff.get("/leads/statuses")) == ["New", "Qualified"]


def test_deleting_a_status_that_holds_leads_needs_a_target(staff, ids):
    problem = assert_problem(staff.delete(f"/leads/statuses/{ids['New']}"), 409)
    assert problem["leadCount"] == 2
    assert names(staff.get("/leads/statuses")) == ["New", "Contacted", "Qualified"]


def test_deleting_moves_the_leads_to_the_end_of_the_target(staff, ids, app):
    with app.app_context():
        services.create_lead(dict(name="C"), ids["Qualified"])
    response = staff.delete(f"/leads/statuses/{ids['New']}?moveLeadsTo={ids['Qualified']}")
    assert response.status_code == 204
    assert names(staff.get("/leads/statuses")) == ["Contacted", "Qualified"]
    assert column(staff, ids["Qualified"]) == [("C", 1), ("A", 2), ("B", 3)]


@pytest.mark.parametrize(("target", "status"), [
    ("999", 422), (str(2**40), 422), ("abc", 400), ("0", 400), ("-2", 400), ("SELF", 400),
])
def test_delete_with_a_bad_target_changes_nothing(staff, ids, target, status):
    target = str(ids["New"]) if target == "SELF" else target
    assert_problem(staff.delete(f"/leads/statuses/{ids['New']}?moveLeadsTo={target}"), status)
    assert names(staff.get("/leads/statuses")) == ["New", "Contacted", "Qualified"]
    assert column(staff, ids["New"]) == [("A", 1), ("B", 2)]


def test_delete_an_unknown_status(staff, ids):
    assert_problem(staff.delete("/leads/statuses/999"), 404)


# --- leads -----------------------------------------------------------------------------------

def test_create_a_lead(staff, ids):
    body = {"name": "Dana", "email": "dana@example.com", "company": "Dana & Co",
            "valueInCents": 125000, "statusId": ids["Contacted"]}
    response = staff.post("/leads", json=body)
    assert response.status_code == 201
    lead = response.json
    assert lead == {**body, "id": lead["id"], "position": 1, "createdAt": lead["createdAt"]}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", lead["createdAt"])
    assert response.headers["Location"].endswith(f"/leads/{lead['id']}")
    assert staff.get(f"/leads/{lead['id']}").json == lead


def test_a_new_lead_goes_last_or_where_asked(staff, ids):
    staff.post("/leads", json={"name": "C", "statusId": ids["New"]})
    staff.post("/leads", json={"name": "D", "statusId": ids["New"], "position": 1})
    staff.post("/leads", json={"name": "E", "statusId": ids["New"], "position": 99})
    assert column(staff, ids["New"]) == [("D", 1), ("A", 2), ("B", 3), ("C", 4), ("E", 5)]


@pytest.mark.parametrize(("body", "field"), [
    ({"statusId": "NEW"}, "name"),
    ({"name": "", "statusId": "NEW"}, "name"),
    ({"name": "X"}, "statusId"),
    ({"name": "X", "statusId": "2"}, "statusId"),
    ({"name": "X", "statusId": "NEW", "valueInCents": -1}, "valueInCents"),
    ({"name": "X", "statusId": "NEW", "valueInCents": 10.5}, "valueInCents"),
    ({"name": "X", "statusId": "NEW", "valueInCents": 2**40}, "valueInCents"),
    ({"name": "X", "statusId": "NEW", "email": "not-an-email"}, "email"),
    ({"name": "X", "statusId": "NEW", "company": 7}, "company"),
    ({"name": "X", "statusId": "NEW", "position": 0}, "position"),
])
def test_create_lead_validation(staff, ids, body, field):
    body = {k: ids["New"] if v == "NEW" else v for k, v in body.items()}
    assert_problem(staff.post("/leads", json=body), 400, field)
    assert len(staff.get("/leads").json) == 2


def test_a_lead_for_an_unknown_status_is_422(staff, ids):
    body = assert_problem(staff.post("/leads", json={"name": "X", "statusId": 999}), 422,
                          "statusId")
    assert body["statusIds"] == [999]
    assert len(staff.get("/leads").json) == 2


def test_list_and_filter_leads(staff, ids, app):
    with app.app_context():
        services.create_lead(dict(name="C"), ids["Contacted"])
    everyone = staff.get("/leads").json
    assert [(lead["name"], lead["statusId"], lead["position"]) for lead in everyone] == [
        ("A", ids["New"], 1), ("B", ids["New"], 2), ("C", ids["Contacted"], 1)]
    assert set(everyone[0]) == {"id", "name", "email", "company", "valueInCents", "statusId",
                                "position", "createdAt"}
    assert [lead["name"] for lead in staff.get(f"/leads?statusId={ids['Contacted']}").json] == ["C"]
    assert_problem(staff.get("/leads?statusId=abc"), 400, "statusId")


def test_edit_a_lead(staff, ids):
    response = staff.patch(f"/leads/{ids['A']}", json={"name": "Ann", "company": None,
                                                        "valueInCents": 500})
    assert response.status_code == 200
    assert (response.json["name"], response.json["company"], response.json["valueInCents"]) == (
        "Ann", None, 500)
    assert_problem(staff.patch(f"/leads/{ids['A']}", json={"name": None}), 400, "name")
    assert_problem(staff.patch(f"/leads/{ids['A']}", json={"statusId": None}), 400, "statusId")
    assert_problem(staff.patch(f"/leads/{ids['A']}", json="Ann"), 400)
    assert staff.get(f"/leads/{ids['A']}").json["name"] == "Ann"


def test_moving_a_lead_renumbers_both_columns(staff, ids, app):
    with app.app_context():
        services.create_lead(dict(name="C"), ids["New"])
        services.create_lead(dict(name="X"), ids["Contacted"])
        services.create_lead(dict(name="Y"), ids["Contacted"])
    response = staff.patch(f"/leads/{ids['B']}", json={"statusId": ids["Contacted"],
                                                        "position": 2})
    assert response.status_code == 200
    assert (response.json["statusId"], response.json["position"]) == (ids["Contacted"], 2)
    assert column(staff, ids["New"]) == [("A", 1), ("C", 2)]
    assert column(staff, ids["Contacted"]) == [("X", 1), ("B", 2), ("Y", 3)]


def test_moving_a_lead_within_its_column(staff, ids, app):
    with app.app_context():
        services.create_lead(dict(name="C"), ids["New"])
    staff.patch(f"/leads/{ids['A']}", json={"position": 3})
    assert column(staff, ids["New"]) == [("B", 1), ("C", 2), ("A", 3)]
    staff.patch(f"/leads/{ids['A']}", json={"position": 1})
    assert column(staff, ids["New"]) == [("A", 1), ("B", 2), ("C", 3)]
    # Past the end means last; without a position a moved lead goes last in its new column.
    staff.patch(f"/leads/{ids['A']}", json={"position": 50})
    assert column(staff, ids["New"]) == [("B", 1), ("C", 2), ("A", 3)]
    staff.patch(f"/leads/{ids['B']}", json={"statusId": ids["Qualified"]})
    assert column(staff, ids["Qualified"]) == [("B", 1)]
    assert column(staff, ids["New"]) == [("C", 1), ("A", 2)]


def test_moving_to_an_unknown_status_is_422_and_changes_nothing(staff, ids):
    assert_problem(staff.patch(f"/leads/{ids['A']}", json={"statusId": 999, "name": "Z"}), 422,
                   "statusId")
    lead = staff.get(f"/leads/{ids['A']}").json
    assert (lead["name"], lead["statusId"], lead["position"]) == ("A", ids["New"], 1)
    assert_problem(staff.patch(f"/leads/{ids['A']}", json={"position": -1}), 400, "position")


def test_delete_a_lead_closes_the_gap(staff, ids, app):
    with app.app_context():
        services.create_lead(dict(name="C"), ids["New"])
    assert staff.delete(f"/leads/{ids['A']}").status_code == 204
    assert column(staff, ids["New"]) == [("B", 1), ("C", 2)]
    assert_problem(staff.get(f"/leads/{ids['A']}"), 404)
    assert_problem(staff.delete(f"/leads/{ids['A']}"), 404)


@pytest.mark.parametrize("lead_id", ["999", str(2**40)])
def test_unknown_leads_are_404(staff, ids, lead_id):
    assert_problem(staff.get(f"/leads/{lead_id}"), 404)
    assert_problem(staff.patch(f"/leads/{lead_id}", json={"name": "Z"}), 404)
    assert_problem(staff.delete(f"/leads/{lead_id}"), 404)


# --- a fixed number of queries ----------------------------------------------------------------

def add_leads(app, status_ids: list[int], count: int) -> None:
    with app.app_context():
        for n in range(count):
            services.create_lead(dict(name=f"Lead {n}"), status_ids[n % len(status_ids)])


def test_listing_leads_takes_the_same_queries_for_3_or_30(staff, ids, app, count_queries):
    statuses = [ids["New"], ids["Contacted"], ids["Qualified"]]
    add_leads(app, statuses, 1)
    staff.get("/leads")  # the token's first use is noted once; measure what comes after
    with count_queries() as few:
        assert len(staff.get("/leads").json) == 3
    add_leads(app, statuses, 27)
    with count_queries() as many:
        assert len(staff.get("/leads").json) == 30
    assert len(many) == len(few)


def test_pages_still_need_the_csrf_token_from_anonymous_visitors(client, make_user):
    make_user("sales@example.com", staff=True)
    response = client.post("/login", data={"email": "sales@example.com",
                                           "password": "correct horse battery"})
    assert response.status_code == 400
    assert "csrf" in response.get_data(as_text=True).lower()


def test_appending_after_the_highest_status_order_is_a_conflict_not_a_crash(staff):
    """A status placed at the largest statusOrder the column holds leaves no room after it."""
    assert staff.post("/leads/statuses", json={"name": "Far", "statusOrder": 2**31 - 1}
                      ).status_code == 201
    before = staff.get("/leads/statuses").json
    response = staff.post("/leads/statuses", json={"name": "After"})
    assert response.status_code == 409
    assert response.headers["Content-Type"] == "application/problem+json"
    assert staff.get("/leads/statuses").json == before
