"""Helpers the JSON front door shares: reading bodies and query arguments strictly."""

import json
from typing import Any, overload

from flask import request
from werkzeug.exceptions import NotFound, UnsupportedMediaType

from shop.database import MAX_INTEGER, is_row_id
from shop.exceptions import InvalidInput
from shop.schemas import check_integer, check_json_value, input_problem, text_problem, validate


def json_body():
    """The request's JSON body; 415 when it is not JSON, 400 when it does not parse, is nested
    too deeply or holds text no database stores."""
    if not request.is_json:
        raise UnsupportedMediaType("Send the body as JSON (Content-Type: application/json).")
    raw = request.get_data(cache=True)
    try:
        body = json.loads(raw)
    except RecursionError:
        raise InvalidInput("The body is nested too deeply.") from None
    except (ValueError, UnicodeDecodeError) as error:
        raise InvalidInput(f"The body is not valid JSON: {error}.") from None
    check_json_value(body)
    return body


def body_as(shape: Any, detail: str = "The body is not valid.") -> Any:
    """The JSON body checked against its declared shape (a Schema class or a type)."""
    return validate(shape, json_body(), detail=detail)


def query_as(shape: Any) -> Any:
    """The query string checked against its declared Schema (one field per argument)."""
    return validate(shape, request.args.to_dict(), detail="A query argument is not valid.")


def ids_within_the_database(endpoint: str | None, values: dict | None) -> None:
    """A path id past the database's integers names nothing: 404, whatever the method."""
    if values and any(isinstance(v, int) and not is_row_id(v) for v in values.values()):
        raise NotFound()


# Arguments that only ever name where to go next; accounts.views.safe_next judges them.
REDIRECT_TARGETS = frozenset({"next"})
# The bodies werkzeug reads as form fields (request.form is empty for any other).
FORM_MIMETYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def refuse_control_characters() -> None:
    """Query strings and form fields carry text, never control characters: 400 naming the field.

    Form fields may hold line breaks and tabs (a textarea sends them); nothing else may.
    A redirect target (`next`) is exempt: it is never stored, and an unsafe one goes home.
    """
    sources = []
    if request.query_string:
        sources.append((request.args, False))
    if request.mimetype in FORM_MIMETYPES:
        sources.append((request.form, True))
    for source, multiline in sources:
        for name, value in source.items(multi=True):
            if name in REDIRECT_TARGETS:
                continue
            problem = text_problem(name) or text_problem(value, multiline=multiline)
            if problem:
                raise input_problem(name if not text_problem(name) else "(field name)", problem)


@overload
def int_arg(name: str, *, default: int, minimum: int = 0,
            maximum: int | None = MAX_INTEGER) -> int: ...


@overload
def int_arg(name: str, *, default: None = None, minimum: int = 0,
            maximum: int | None = MAX_INTEGER) -> int | None: ...


def int_arg(name: str, *, default: int | None = None, minimum: int = 0,
            maximum: int | None = MAX_INTEGER) -> int | None:
    """A whole-number query argument within bounds (the one integer rule), or InvalidInput."""
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        return check_integer(raw, minimum=minimum, maximum=maximum, text=True)
    except ValueError as error:
        raise input_problem(name, str(error), f"'{name}': {error}") from None
