"""GET /openapi.json: an OpenAPI 3.1 description of the JSON API, kept true by the tests."""

from flask import Blueprint

from shop.shipping.schemas import (
    OrderShippingOut,
    ShippingMethodIn,
    ShippingMethodOut,
    ShippingMethodPatch,
    json_schema,
)

bp = Blueprint("openapi", __name__)


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _problems(*codes: int) -> dict:
    problem = {"content": {"application/problem+json": {"schema": _ref("Problem")}}}
    return {str(code): {"description": "Problem details", **problem} for code in codes}


INT = {"type": "integer"}
STR = {"type": "string"}
ID_PARAM = {"name": "id", "in": "path", "required": True, "schema": INT}

SCHEMAS = {
    "Problem": {
        "type": "object",
        "required": ["type", "title", "status", "detail"],
        "properties": {
            "type": STR, "title": STR, "status": INT, "detail": STR,
            "errors": {"type": "array", "items": {
                "type": "object", "required": ["field", "message"],
                "properties": {"field": STR, "message": STR}}},
        },
    },
    "OrderLine": {
        "type": "object",
        "required": ["id", "name", "quantity", "priceInCents"],
        "properties": {"id": INT, "name": STR, "quantity": {"type": "integer", "minimum": 1},
                       "priceInCents": {"type": "integer", "minimum": 0}},
    },
    "Order": {
        "type": "object",
        "required": ["id", "userId", "date", "products", "amountInCents", "clientSecret",
                     "status"],
        "properties": {
            "id": INT, "userId": INT,
            "date": {"type": "string", "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"},
            "products": {"type": "array", "items": _ref("OrderLine")},
            "amountInCents": {"type": "integer", "minimum": 0},
            "clientSecret": {"type": ["string", "null"]},
            "status": {"enum": ["pending", "paid", "shipped", "completed", "cancelled",
                                "refunded"]},
            "currency": STR,
            "paymentError": {"type": ["string", "null"]},
            "shipping": {"anyOf": [_ref("OrderShipping"), {"type": "null"}]},
        },
    },
    "Cart": {
        "oneOf": [
            {"type": "array", "minItems": 1,
             "items": {"oneOf": [STR, INT]}, "description": "product ids, one per unit"},
            {"type": "array", "minItems": 1, "items": {
                "type": "object", "required": ["id"],
                "properties": {"id": INT, "quantity": {"type": "integer", "minimum": 1}}}},
        ],
    },
    "NewOrder": {
        "oneOf": [
            _ref("Cart"),
            {"type": "object", "required": ["products", "shippingMethodId"],
             "properties": {"products": _ref("Cart"), "shippingMethodId": INT,
                            "shippingAddress": _ref("ShippingAddress")}},
        ],
    },
    "StatusUpdate": {
        "type": "object", "required": ["orderId", "status"],
        "properties": {"orderId": INT, "status": STR, "tracking": _ref("Tracking")},
    },
    "StatusUpdateResult": {
        "type": "object", "required": ["id", "status"], "properties": {"id": INT, "status": STR},
    },
    "Product": {
        "type": "object",
        "required": ["id", "name", "description", "priceInCents", "stock", "imageUrl"],
        "properties": {"id": INT, "name": STR, "description": STR,
                       "priceInCents": {"type": "integer", "minimum": 0},
                       "stock": {"type": "integer", "minimum": 0},
                       "imageUrl": {"type": ["string", "null"]}},
    },
    "LeadStatus": {
        "type": "object", "required": ["id", "name", "statusOrder"],
        "properties": {"id": INT, "name": STR, "statusOrder": INT},
    },
    "LeadStatusOrder": {
        "type": "object", "required": ["id", "statusOrder"],
        "properties": {"id": INT, "statusOrder": {"type": "integer", "minimum": 0}},
    },
    "Lead": {
        "type": "object",
        "required": ["id", "name", "email", "company", "valueInCents", "statusId", "position",
                     "createdAt"],
        "properties": {"id": INT, "name": STR, "email": {"type": ["string", "null"]},
                       "company": {"type": ["string", "null"]}, "valueInCents": INT,
                       "statusId": INT, "position": INT, "createdAt": STR},
    },
    "LeadInput": {
        "type": "object", "required": ["name", "statusId"],
        "properties": {"name": STR, "email": {"type": ["string", "null"]},
                       "company": {"type": ["string", "null"]}, "valueInCents": INT,
                       "statusId": INT, "position": {"type": "integer", "minimum": 1}},
    },
}


def _add_model_schemas() -> None:
    """Shapes declared as pydantic models enter the document from their one declaration."""
    for name, model, mode in (("ShippingMethod", ShippingMethodOut, "serialization"),
                              ("ShippingMethodInput", ShippingMethodIn, "validation"),
                              ("ShippingMethodPatch", ShippingMethodPatch, "validation"),
                              ("OrderShipping", OrderShippingOut, "serialization")):
        schema = json_schema(model, mode)
        SCHEMAS.update(schema.pop("$defs", {}))
        SCHEMAS[name] = schema


_add_model_schemas()

AUTH = _problems(401)


def _op(summary: str, responses: dict, *, body: dict | None = None, params=None,
        public: bool = False) -> dict:
    op = {"summary": summary, "responses": {**responses, **({} if public else AUTH)}}
    if body is not None or any(p.get("in") == "query" for p in params or ()):
        op["responses"].update(_problems(400))
    if body is not None:
        op["responses"].update(_problems(413, 415))
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    if params:
        op["parameters"] = params
    if public:
        op["security"] = []
    return op


def _query(name: str, schema: dict) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema}


PATHS = {
    "/orders": {"get": _op(
        "The caller's orders, newest first",
        {"200": _json({"type": "array", "items": _ref("Order")}, "Orders"),
         **_problems(400, 403)},
        params=[_query("status", STR), _query("limit", {"type": "integer", "minimum": 1,
                                                        "maximum": 100}),
                _query("offset", {"type": "integer", "minimum": 0}),
                _query("scope", {"enum": ["mine", "all"]})])},
    "/orders/demo-cart": {"get": _op(
        "Cart lines of real products, ready for /orders/new",
        {"200": _json({"type": "array", "items": _ref("OrderLine")}, "Demo cart")},
        public=True)},
    "/orders/{id}": {"get": _op("One order", {"200": _json(_ref("Order"), "The order"),
                                              **_problems(404)}, params=[ID_PARAM])},
    "/orders/new": {"post": _op(
        "Place an order", {"201": _json(_ref("Order"), "The new order"),
                           **_problems(400, 409, 413, 415, 422, 502)},
        body=_ref("NewOrder"),
        params=[{"name": "Idempotency-Key", "in": "header", "required": False,
                 "schema": STR}])},
    "/orders/status-update": {"post": _op(
        "Change an order's status",
        {"200": _json(_ref("StatusUpdateResult"), "The new status"),
         **_problems(400, 403, 404, 409, 502)}, body=_ref("StatusUpdate"))},
    "/products": {"get": _op("Products for sale", {"200": _json(
        {"type": "array", "items": _ref("Product")}, "Products")}, public=True)},
    "/products/{id}": {"get": _op("One product", {"200": _json(_ref("Product"), "The product"),
                                                  **_problems(404)},
                                  params=[ID_PARAM], public=True)},
    "/shipping-methods": {
        "get": _op("The shipping methods on offer", {"200": _json(
            {"type": "array", "items": _ref("ShippingMethod")}, "Shipping methods")},
            public=True),
        "post": _op("Add a shipping method (staff)", {
            "201": _json(_ref("ShippingMethod"), "The new method"), **_problems(400, 403)},
            body=_ref("ShippingMethodInput")),
    },
    "/shipping-methods/{id}": {"patch": _op(
        "Change a shipping method (staff)", {"200": _json(_ref("ShippingMethod"), "The method"),
                                             **_problems(400, 403, 404)},
        body=_ref("ShippingMethodPatch"), params=[ID_PARAM])},
    "/leads/statuses": {
        "get": _op("Every lead status, in order", {"200": _json(
            {"type": "array", "items": _ref("LeadStatus")}, "Statuses"), **_problems(403)}),
        "post": _op("Add a lead status", {"201": _json(_ref("LeadStatus"), "The new status"),
                                          **_problems(400, 403)},
                    body={"type": "object", "required": ["name"],
                          "properties": {"name": STR, "statusOrder": INT}}),
    },
    "/leads/statuses/order": {"put": _op(
        "Reorder lead statuses",
        {"200": _json({"type": "array", "items": _ref("LeadStatus")}, "Every status, in order"),
         **_problems(400, 403, 422)},
        body={"oneOf": [{"type": "array", "items": _ref("LeadStatusOrder")},
                        _ref("LeadStatusOrder")]})},
    "/leads/statuses/{id}": {
        "get": _op("One lead status", {"200": _json(_ref("LeadStatus"), "The status"),
                                       **_problems(403, 404)}, params=[ID_PARAM]),
        "patch": _op("Rename a lead status", {"200": _json(_ref("LeadStatus"), "The status"),
                                              **_problems(400, 403, 404)},
                     body={"type": "object", "properties": {"name": STR}}, params=[ID_PARAM]),
        "delete": _op("Delete a lead status", {"204": {"description": "Deleted"},
                                               **_problems(403, 404, 409, 422)},
                      params=[ID_PARAM, _query("moveLeadsTo", INT)]),
    },
    "/leads": {
        "get": _op("Every lead", {"200": _json({"type": "array", "items": _ref("Lead")},
                                               "Leads"), **_problems(403)}),
        "post": _op("Add a lead", {"201": _json(_ref("Lead"), "The new lead"),
                                   **_problems(400, 403, 422)}, body=_ref("LeadInput")),
    },
    "/leads/{id}": {
        "get": _op("One lead", {"200": _json(_ref("Lead"), "The lead"), **_problems(403, 404)},
                   params=[ID_PARAM]),
        "patch": _op("Change or move a lead", {"200": _json(_ref("Lead"), "The lead"),
                                               **_problems(400, 403, 404, 422)},
                     body={**_ref("LeadInput"), "required": []}, params=[ID_PARAM]),
        "delete": _op("Delete a lead", {"204": {"description": "Deleted"},
                                        **_problems(403, 404)}, params=[ID_PARAM]),
    },
}

SPEC = {
    "openapi": "3.1.0",
    "info": {"title": "shop", "version": "1",
             "description": "The shop's JSON API. Money is integer cents; errors are RFC 9457."},
    "paths": PATHS,
    "components": {
        "schemas": SCHEMAS,
        "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"},
            "session": {"type": "apiKey", "in": "cookie", "name": "session"},
        },
    },
    "security": [{"bearer": []}, {"session": []}],
}


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 description of the JSON API."""
    return SPEC
