"""Schemathesis against /openapi.json, in process: no 5xx, and every answer as documented.

Each operation gets generated requests, each sent once with a customer's bearer token and
once with a staff member's; every answer must be a status the document lists for that
operation, with its media type and body shape. Bounded by EXAMPLES per operation.
"""

import os

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from shop.leads import services as leads
from shop.openapi import document

EXAMPLES = int(os.environ.get("SHOP_SCHEMATHESIS_EXAMPLES", "30"))
# Valid requests and, as often, requests the document says are wrong (they must get a 4xx).
MODES = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


def test_every_operation_answers_as_documented_for_customers_and_staff(
        app, api_as, make_product, capsys):
    customer = api_as("customer-st@example.com")
    staff = api_as("staff-st@example.com", staff=True)
    for name in ("Mug", "Teapot"):
        make_product(name, stock=10_000)
    with app.app_context():
        for name in ("New", "Won"):
            status = leads.create_status(name).id
            leads.create_lead(dict(name=f"{name} lead"), status)
    customer.post("/orders/new", json=["1"])

    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    tally = {"operations": 0, "requests": 0, "5xx": 0}
    by_status: dict[int, int] = {}

    for result in schema.get_all_operations():
        operation = result.ok()
        tally["operations"] += 1

        @given(case=st.one_of(operation.as_strategy(mode) for mode in MODES))
        @settings(max_examples=EXAMPLES, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case):
            for caller in (customer, staff):
                response = case.call(headers={"Authorization": f"Bearer {caller.token}"})
                tally["requests"] += 1
                by_status[response.status_code] = by_status.get(response.status_code, 0) + 1
                if response.status_code >= 500:
                    tally["5xx"] += 1
                case.validate_response(response, checks=CHECKS)

        run()

    assert tally["operations"] == sum(len(ops) for ops in document()["paths"].values())
    assert tally["5xx"] == 0
    # Generation reached past the 4xx answers into real work.
    assert any(200 <= status < 300 for status in by_status)
    with capsys.disabled():
        print(f"\nschemathesis: {tally}, answers by status: {dict(sorted(by_status.items()))}")
