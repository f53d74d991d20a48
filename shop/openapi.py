"""GET /openapi.json: the OpenAPI 3.1 document, generated from the schema classes.

The operations are a small table below; every body, answer and query argument shape in it is
a class of a `schemas.py`, turned into JSON Schema by pydantic.
"""

from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

from flask import Blueprint
from pydantic import BaseModel, TypeAdapter

from shop.catalog import csv_io, images
from shop.catalog import schemas as catalog
from shop.leads.schemas import (
    DeleteStatusQuery,
    LeadChange,
    LeadListQuery,
    LeadOut,
    NewLead,
    NewStatus,
    Reorder,
    StatusChange,
    StatusOut,
)
from shop.orders.schemas import (
    MAX_IDEMPOTENCY_KEY,
    NewOrderBody,
    OrderLine,
    OrderListQuery,
    OrderOut,
    StatusUpdate,
    StatusUpdateResult,
)
from shop.payments.schemas import NewRefund, RefundOut
from shop.schemas import Schema
from shop.shipping.schemas import ShippingMethodIn, ShippingMethodOut, ShippingMethodPatch

bp = Blueprint("openapi", __name__)

REF = "#/components/schemas/{model}"


class FieldError(Schema):
    """One wrong field: its path ("[0].quantity", "statusOrder") and what is wrong."""

    field: str
    message: str


class Problem(Schema):
    """RFC 9457 problem details; some problems add members (allowed, from, to, productIds…)."""

    model_config = {**Schema.model_config, "extra": "allow"}

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = None


@dataclass(frozen=True)
class Raw:
    """A body or answer that is not JSON (a picture, a CSV file): its media types and schema."""

    media: tuple[str, ...]
    schema: dict
    description: str | None = None


@dataclass
class Op:
    """One operation: what it reads, what it answers, who may call it."""

    summary: str
    ok: tuple[int, Any]  # (status, answer shape, a Raw answer, or None for no body)
    body: Any = None  # a shape (JSON) or a Raw body
    query: type[BaseModel] | None = None
    problems: tuple[int, ...] = ()
    who: str = "user"  # "anyone", "user" or "staff"
    headers: list[dict] = field(default_factory=list)
    name: str | None = None  # component name of a body that is not a class
    answer_headers: dict[str, dict] = field(default_factory=dict)


TOTAL_COUNT = {"X-Total-Count": {"schema": {"type": "integer", "minimum": 0},
                                 "description": "How many match in all"}}
NEXT_LINK = {"Link": {"schema": {"type": "string"},
                      "description": 'rel="next" when more remain'}}
PRODUCT_IMAGE = Raw(images.ACCEPTED_TYPES, {
    "type": "string", "contentMediaType": "image/*",
    "description": f"At most {images.MAX_BYTES // (1024 * 1024)} MB"})
CSV_FILE = Raw(("text/csv",), {"type": "string"},
               "CSV with the header " + ",".join(csv_io.HEADER))


OPERATIONS: dict[str, dict[str, Op]] = {
    "/orders": {"get": Op("The caller's orders, newest first", (200, list[OrderOut]),
                          query=OrderListQuery, problems=(403,))},
    "/orders/demo-cart": {"get": Op("Cart lines of real products, ready for /orders/new",
                                    (200, list[OrderLine]), who="anyone")},
    "/orders/{id}": {"get": Op("One order", (200, OrderOut), problems=(404,))},
    "/orders/new": {"post": Op(
        "Place an order", (201, OrderOut), body=NewOrderBody, name="NewOrder",
        problems=(409, 422, 429, 502),
        headers=[{"name": "Idempotency-Key", "in": "header", "required": False,
                  "schema": {"type": "string", "minLength": 1,
                             "maxLength": MAX_IDEMPOTENCY_KEY}}])},
    "/orders/status-update": {"post": Op("Change an order's status", (200, StatusUpdateResult),
                                         body=StatusUpdate, problems=(403, 404, 409, 502))},
    "/orders/{id}/refunds": {
        "get": Op("An order's refunds (staff, or the order's owner)", (200, list[RefundOut])),
        "post": Op("Refund part of an order, or what is left of it (staff)", (201, RefundOut),
                   body=NewRefund, who="staff", problems=(409, 502)),
    },
    "/shipping-methods": {
        "get": Op("The shipping methods on offer", (200, list[ShippingMethodOut]),
                  who="anyone"),
        "post": Op("Add a shipping method", (201, ShippingMethodOut), body=ShippingMethodIn,
                   who="staff"),
    },
    "/shipping-methods/{id}": {"patch": Op(
        "Change a shipping method", (200, ShippingMethodOut), body=ShippingMethodPatch,
        who="staff", problems=(404,))},
    "/leads/statuses": {
        "get": Op("Every lead status, in order", (200, list[StatusOut]), who="staff"),
        "post": Op("Add a lead status", (201, StatusOut), body=NewStatus, who="staff",
                   problems=(409,)),
    },
    "/leads/statuses/order": {"put": Op(
        "Reorder lead statuses", (200, list[StatusOut]), body=Reorder, name="Reorder",
        who="staff", problems=(422,))},
    "/leads/statuses/{id}": {
        "get": Op("One lead status", (200, StatusOut), who="staff", problems=(404,)),
        "patch": Op("Rename a lead status", (200, StatusOut), body=StatusChange, who="staff",
                    problems=(404,)),
        "delete": Op("Delete a lead status", (204, None), query=DeleteStatusQuery, who="staff",
                     problems=(404, 409, 422)),
    },
    "/leads": {
        "get": Op("Every lead", (200, list[LeadOut]), query=LeadListQuery, who="staff"),
        "post": Op("Add a lead", (201, LeadOut), body=NewLead, who="staff", problems=(422,)),
    },
    "/leads/{id}": {
        "get": Op("One lead", (200, LeadOut), who="staff", problems=(404,)),
        "patch": Op("Change or move a lead", (200, LeadOut), body=LeadChange, who="staff",
                    problems=(404, 422)),
        "delete": Op("Delete a lead", (204, None), who="staff", problems=(404,)),
    },
    "/products": {
        "get": Op("Products for sale: search, filter, sort, page",
                  (200, list[catalog.ProductAnswer]), query=catalog.ProductQuery, who="anyone",
                  problems=(403,), answer_headers={**TOTAL_COUNT, **NEXT_LINK}),
        "post": Op("Add a product", (201, catalog.ProductAnswer), body=catalog.ProductInput,
                   who="staff", problems=(409, 422)),
    },
    "/products/{id}": {
        "get": Op("One product", (200, catalog.ProductAnswer), who="anyone"),
        "patch": Op("Change a product (not its stock)", (200, catalog.ProductAnswer),
                    body=catalog.ProductChanges, who="staff", problems=(409, 422)),
        "delete": Op("Archive a product", (204, None), who="staff"),
    },
    "/products/{id}/stock": {
        "get": Op("The product's stock ledger, newest first",
                  (200, list[catalog.StockMovementAnswer]), query=catalog.StockHistoryQuery,
                  who="staff", answer_headers=NEXT_LINK),
        "post": Op("Adjust stock by a signed change with a reason", (200, catalog.ProductAnswer),
                   body=catalog.StockAdjustment, who="staff", problems=(409,)),
    },
    "/products/{id}/image": {"put": Op(
        "Replace the product's picture", (200, catalog.ProductAnswer), body=PRODUCT_IMAGE,
        who="staff", problems=(422,))},
    "/products/export.csv": {"get": Op("Every product as CSV", (200, CSV_FILE), who="staff")},
    "/products/import": {"post": Op(
        "Create or update products by sku from CSV, all or nothing",
        (200, catalog.ImportAnswer), body=CSV_FILE, who="staff", problems=(422,))},
    "/categories": {
        "get": Op("Every category", (200, list[catalog.CategoryAnswer]), who="anyone"),
        "post": Op("Add a category", (201, catalog.CategoryAnswer), body=catalog.CategoryInput,
                   who="staff", problems=(409,)),
    },
    "/categories/{id}": {
        "get": Op("One category", (200, catalog.CategoryAnswer), who="anyone"),
        "patch": Op("Rename a category", (200, catalog.CategoryAnswer),
                    body=catalog.CategoryInput, who="staff", problems=(409,)),
        "delete": Op("Delete a category no product uses", (204, None), who="staff",
                     problems=(409,)),
    },
}


class _Components:
    """Collects the JSON Schema of every shape the operations use, by name."""

    def __init__(self):
        self.schemas: dict[str, dict] = {}

    def schema(self, shape: Any, mode: Literal["validation", "serialization"],
               name: str | None = None) -> dict:
        generated = _tidy(TypeAdapter(shape).json_schema(mode=mode, ref_template=REF))
        self.schemas.update(generated.pop("$defs", {}))
        if isinstance(shape, type) and issubclass(shape, BaseModel):
            name = shape.__name__
        if name is None:
            return generated
        self.schemas[name] = generated
        return {"$ref": REF.format(model=name)}


def _tidy(schema: Any) -> Any:
    """Drop what pydantic adds for Python readers: field titles and defaults of null."""
    if isinstance(schema, list):
        return [_tidy(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    tidy = {key: _tidy(value) for key, value in schema.items()}
    for prop in tidy.get("properties", {}).values():
        prop.pop("title", None)
        if prop.get("default", 0) is None:
            del prop["default"]
    return tidy


def _query_schema(schema: dict) -> dict:
    """A query argument is always text: document the integer or text form, never null."""
    variants = [v for v in schema.get("anyOf", [schema]) if v.get("type") != "null"]
    if any(v.get("type") == "integer" for v in variants):
        variants = [v for v in variants if v.get("type") == "integer"]
    chosen = variants[0] if len(variants) == 1 else {"anyOf": variants}
    if "description" in schema:
        chosen = {**chosen, "description": schema["description"]}
    return {k: v for k, v in chosen.items() if k not in {"title", "default"}}


def _json(schema: dict, description: str, media: str = "application/json") -> dict:
    return {"description": description, "content": {media: {"schema": schema}}}


def _content(shape: Any, mode: Literal["validation", "serialization"],
             components: "_Components", name: str | None = None) -> dict:
    """The media types and schema of a body or answer: JSON from a shape, or a Raw one."""
    if isinstance(shape, Raw):
        return {media: {"schema": shape.schema} for media in shape.media}
    return {"application/json": {"schema": components.schema(shape, mode, name)}}


def _parameters(query: type[BaseModel], components: "_Components") -> list[dict]:
    """One query parameter per field of a query Schema, by its camelCase name; the shapes
    its fields refer to (an enum of choices) join the components."""
    shape = _tidy(query.model_json_schema(mode="validation", ref_template=REF))
    components.schemas.update(shape.pop("$defs", {}))
    return [{"name": name, "in": "query", "required": name in shape.get("required", ()),
             "schema": _query_schema(schema)}
            for name, schema in shape["properties"].items()]


def _operation(path: str, op: Op, components: _Components) -> dict:
    status, answer = op.ok
    ok: dict[str, Any] = {"description": op.summary}
    if isinstance(answer, Raw) and answer.description:
        ok["description"] = answer.description
    if answer is not None:
        ok["content"] = _content(answer, "serialization", components)
    if op.answer_headers:
        ok["headers"] = op.answer_headers
    responses: dict[str, dict] = {str(status): ok}
    codes = set(op.problems)
    if op.who != "anyone":
        codes.add(401)
    if op.who == "staff":
        codes.add(403)
    if "{id}" in path:
        codes.add(404)
    if op.query is not None:
        codes.add(400)
    if op.body is not None:
        codes.update({400, 413, 415})
    problem = components.schema(Problem, "serialization")
    for code in sorted(codes):
        responses[str(code)] = _json(problem, "Problem details", "application/problem+json")
    operation: dict[str, Any] = {"summary": op.summary, "responses": responses}
    parameters = list(op.headers)
    if "{id}" in path:
        parameters.insert(0, {"name": "id", "in": "path", "required": True,
                              "schema": {"type": "integer", "minimum": 1}})
    if op.query is not None:
        parameters += _parameters(op.query, components)
    if parameters:
        operation["parameters"] = parameters
    if op.body is not None:
        operation["requestBody"] = {"required": True, "content": _content(
            op.body, "validation", components, op.name)}
    if op.who == "anyone":
        operation["security"] = []
    return operation


@cache
def document() -> dict:
    """The whole OpenAPI document, built once from the table and the schema classes."""
    components = _Components()
    paths = {path: {method: _operation(path, op, components) for method, op in ops.items()}
             for path, ops in OPERATIONS.items()}
    return {
        "openapi": "3.1.0",
        "info": {"title": "shop", "version": "1",
                 "description": "The shop's JSON API. Money is integer cents; errors are "
                                "RFC 9457 problem details."},
        "paths": paths,
        "components": {
            "schemas": dict(sorted(components.schemas.items())),
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
    return document()
