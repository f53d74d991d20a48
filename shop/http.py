"""Helpers the JSON front door shares: reading bodies and query arguments strictly."""

import json
from typing import overload

from flask import request
from werkzeug.exceptions import NotFound, UnsupportedMediaType

from shop.database import is_row_id
from shop.exceptions import InvalidInput


def json_body():
    """The request's JSON body; 415 when it is not JSON, 400 when it does not parse."""
    if not request.is_json:
        raise UnsupportedMediaType("Send the body as JSON (Content-Type: application/json).")
    raw = request.get_data(cache=True)
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise InvalidInput(f"The body is not valid JSON: {error}.") from None


def strict_int(value) -> int | None:
    """An integer from JSON: ints and digit strings, never bools, floats or anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def ids_within_the_database(endpoint: str | None, values: dict | None) -> None:
    """A path id past the database's integers names nothing: 404, whatever the method."""
    if values and any(isinstance(v, int) and not is_row_id(v) for v in values.values()):
        raise NotFound()


@overload
def int_arg(name: str, *, default: int, minimum: int = 0, maximum: int | None = None) -> int: ...


@overload
def int_arg(name: str, *, default: None = None, minimum: int = 0,
            maximum: int | None = None) -> int | None: ...


def int_arg(name: str, *, default: int | None = None, minimum: int = 0,
            maximum: int | None = None) -> int | None:
    """A whole-number query argument within bounds, or InvalidInput naming it."""
    raw = request.args.get(name)
    if raw is None:
        return default
    value = strict_int(raw)
    if value is None or value < minimum or (maximum is not None and value > maximum):
        bounds = f"from {minimum} to {maximum}" if maximum is not None else f"of {minimum} or more"
        raise InvalidInput(f"'{name}' must be a whole number {bounds}.",
                           errors=[{"field": name, "message": f"Whole number {bounds}."}])
    return value
