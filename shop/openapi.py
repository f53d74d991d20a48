"""GET /openapi.json: the OpenAPI 3.1 document, generated from the schema classes.

The operations are a small table below; every body, answer and query argument shape in it is
a class of a `schemas.py`, turned into JSON Schema by pydantic.
"""

from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

from flask import Blueprint
from pydantic import BaseModel, TypeAdapter

from shop.catalog.openapi import catalog_openapi
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
    NewOrder,
    OrderLine,
    OrderListQuery,
    OrderOut,
    StatusUpdate,
    StatusUpdateResult,
)
from shop.schemas import Schema

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


@dataclass
class Op:
    """One operation: what it reads, what it answers, who may call it."""

    summary: str
    ok: tuple[int, Any]  # (status, answer shape or None for no body)
    body: Any = None
    query: type[BaseModel] | None = None
    problems: tuple[int, ...] = ()
    who: str = "user"  # "anyone", "user" or "staff"
    headers: list[dict] = field(default_factory=list)
    name: str | None = None  # component name of a body that is not a class


OPERATIONS: dict[str, dict[str, Op]] = {
    "/orders": {"get": Op("The caller's orders, newest first", (200, list[OrderOut]),
                          query=OrderListQuery, problems=(403,))},
    "/orders/demo-cart": {"get": Op("Cart lines of real products, ready for /orders/new",
                                    (200, list[OrderLine]), who="anyone")},
    "/orders/{id}": {"get": Op("One order", (200, OrderOut), problems=(404,))},
    "/orders/new": {"post": Op(
        "Place an order", (201, OrderOut), body=NewOrder, name="NewOrder",
        problems=(409, 422, 429, 502),
        headers=[{"name": "Idempotency-Key", "in": "header", "required": False,
                  "schema": {"type": "string", "minLength": 1,
                             "maxLength": MAX_IDEMPOTENCY_KEY}}])},
    "/orders/status-update": {"post": Op("Change an order's status", (200, StatusUpdateResult),
                                         body=StatusUpdate, problems=(403, 404, 409, 502))},
    "/leads/statuses": {
        "get": Op("Every lead status, in order", (200, list[StatusOut]), who="staff"),
        "post": Op("Add a lead status", (201, StatusOut), body=NewStatus, who="staff"),
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


def _parameters(query: type[BaseModel]) -> list[dict]:
    """One query parameter per field of a query Schema, by its camelCase name."""
    shape = _tidy(query.model_json_schema(mode="validation", ref_template=REF))
    return [{"name": name, "in": "query", "required": name in shape.get("required", ()),
             "schema": _query_schema(schema)}
            for name, schema in shape["properties"].items()]


def _operation(path: str, op: Op, components: _Components) -> dict:
    status, answer = op.ok
    responses: dict[str, dict] = {
        str(status): ({"description": op.summary} if answer is None
                      else _json(components.schema(answer, "serialization"), op.summary))}
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
        parameters += _parameters(op.query)
    if parameters:
        operation["parameters"] = parameters
    if op.body is not None:
        operation["requestBody"] = {"required": True, "content": {"application/json": {
            "schema": components.schema(op.body, "validation", op.name)}}}
    if op.who == "anyone":
        operation["security"] = []
    return operation


@cache
def document() -> dict:
    """The whole OpenAPI document, built once from the table and the schema classes."""
    components = _Components()
    paths = {path: {method: _operation(path, op, components) for method, op in ops.items()}
             for path, ops in OPERATIONS.items()}
    catalog_paths, catalog_schemas = catalog_openapi()
    paths.update(catalog_paths)
    components.schemas.update(catalog_schemas)
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
