"""The catalog's part of /openapi.json: path items and schemas, made from the catalog's models.

`catalog_openapi()` returns (paths, schemas) for the shop's OpenAPI document to merge in.
"""

from typing import Literal

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from shop.catalog import csv_io, images
from shop.catalog.schemas import (
    CategoryAnswer,
    CategoryInput,
    ImportAnswer,
    ProductAnswer,
    ProductChanges,
    ProductInput,
    ProductSort,
    StockAdjustment,
    StockMovementAnswer,
)

REF = "#/components/schemas/{model}"
Mode = Literal["validation", "serialization"]
MODELS: list[tuple[type[BaseModel], Mode]] = [
    (ProductAnswer, "serialization"), (CategoryAnswer, "serialization"),
    (StockMovementAnswer, "serialization"), (ImportAnswer, "serialization"),
    (ProductInput, "validation"), (ProductChanges, "validation"),
    (StockAdjustment, "validation"), (CategoryInput, "validation")]


def _ref(model) -> dict:
    return {"$ref": REF.format(model=model.__name__)}


def _problems(*codes: int) -> dict:
    body = {"content": {"application/problem+json": {
        "schema": {"$ref": REF.format(model="Problem")}}}}
    return {str(code): {"description": "Problem details", **body} for code in codes}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _array(model) -> dict:
    return {"type": "array", "items": _ref(model)}


def _query(name: str, schema: dict, description: str = "") -> dict:
    param = {"name": name, "in": "query", "required": False, "schema": schema}
    return {**param, "description": description} if description else param


ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
PAGING = [_query("limit", {"type": "integer", "minimum": 1, "maximum": 100}),
          _query("offset", {"type": "integer", "minimum": 0})]
PAGED_HEADERS = {
    "X-Total-Count": {"schema": {"type": "integer"}, "description": "How many match in all"},
    "Link": {"schema": {"type": "string"}, "description": 'rel="next" when more remain'},
}


def _op(summary: str, responses: dict, *, staff: bool = True, body: dict | None = None,
        params: list | None = None, content_type: str = "application/json") -> dict:
    op: dict = {"summary": summary, "responses": dict(responses)}
    if staff:
        op["responses"].update(_problems(401, 403))
    else:
        op["security"] = []
    if body is not None:
        op["requestBody"] = {"required": True, "content": {content_type: {"schema": body}}}
        op["responses"].update(_problems(400, 413, 415))
    if params:
        op["parameters"] = params
        if any(p["in"] == "query" for p in params):
            op["responses"].update(_problems(400))
    return op


def catalog_openapi() -> tuple[dict, dict]:
    """(paths, component schemas) of every catalog endpoint."""
    _, definitions = models_json_schema(MODELS, ref_template=REF)
    product = _json(_ref(ProductAnswer), "The product")
    image_body = {"type": "string", "contentMediaType": "image/*",
                  "description": f"At most {images.MAX_BYTES // (1024 * 1024)} MB"}
    paths = {
        "/products": {
            "get": _op("Products for sale: search, filter, sort, page",
                       {"200": {**_json(_array(ProductAnswer), "Products"),
                                "headers": PAGED_HEADERS}, **_problems(403)},
                       staff=False, params=[
                           _query("q", {"type": "string"}, "Words in name or description "
                                  "(websearch syntax on PostgreSQL), or an sku prefix"),
                           _query("category", {"type": "string"}, "A category's slug"),
                           _query("sort", {"enum": [s.value for s in ProductSort]}),
                           *PAGING,
                           _query("active", {"enum": ["true", "false", "all"]},
                                  "Staff only: archived products too (all) or only (false)")]),
            "post": _op("Add a product", {"201": _json(_ref(ProductAnswer), "The new product"),
                                          **_problems(409, 422)}, body=_ref(ProductInput)),
        },
        "/products/{id}": {
            "get": _op("One product", {"200": product, **_problems(404)}, staff=False,
                       params=[ID]),
            "patch": _op("Change a product (not its stock)",
                         {"200": product, **_problems(404, 409, 422)},
                         body=_ref(ProductChanges), params=[ID]),
            "delete": _op("Archive a product", {"204": {"description": "Archived"},
                                                **_problems(404)}, params=[ID]),
        },
        "/products/{id}/stock": {
            "get": _op("The product's stock ledger, newest first",
                       {"200": _json(_array(StockMovementAnswer), "Ledger rows"),
                        **_problems(404)}, params=[ID, *PAGING]),
            "post": _op("Adjust stock by a signed change with a reason",
                        {"200": product, **_problems(404, 409)},
                        body=_ref(StockAdjustment), params=[ID]),
        },
        "/products/{id}/image": {
            "put": {**_op("Replace the product's picture", {"200": product,
                                                             **_problems(400, 404, 413, 415, 422)},
                          params=[ID]),
                    "requestBody": {"required": True, "content": {
                        t: {"schema": image_body} for t in images.ACCEPTED_TYPES}}},
        },
        "/products/export.csv": {
            "get": _op("Every product as CSV", {"200": {
                "description": "CSV with the header " + ",".join(csv_io.HEADER),
                "content": {"text/csv": {"schema": {"type": "string"}}}}}),
        },
        "/products/import": {
            "post": _op("Create or update products by sku from CSV, all or nothing",
                        {"200": _json(_ref(ImportAnswer), "What was created and updated"),
                         **_problems(422)},
                        body={"type": "string"}, content_type="text/csv"),
        },
        "/categories": {
            "get": _op("Every category", {"200": _json(_array(CategoryAnswer), "Categories")},
                       staff=False),
            "post": _op("Add a category", {"201": _json(_ref(CategoryAnswer), "The category"),
                                           **_problems(409)}, body=_ref(CategoryInput)),
        },
        "/categories/{id}": {
            "get": _op("One category", {"200": _json(_ref(CategoryAnswer), "The category"),
                                        **_problems(404)}, staff=False, params=[ID]),
            "patch": _op("Rename a category", {"200": _json(_ref(CategoryAnswer), "The category"),
                                               **_problems(404, 409)},
                         body=_ref(CategoryInput), params=[ID]),
            "delete": _op("Delete a category no product uses",
                          {"204": {"description": "Deleted"}, **_problems(404, 409)},
                          params=[ID]),
        },
    }
    return paths, definitions["$defs"]
