"""The JSON API's shared schema base and boundary types: each shape and each rule declared once.

Feature packages declare their bodies, answers and query arguments in their own `schemas.py`
with these types; validation, serialisation and /openapi.json all come from those classes.
"""

import re
import unicodedata
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Self, TypeVar, overload

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    Strict,
    TypeAdapter,
    ValidationError,
    WithJsonSchema,
)
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from shop.database import MAX_INTEGER, isoformat_z
from shop.exceptions import InvalidInput

# A JSON body nested deeper than this is refused before anything walks it.
MAX_JSON_DEPTH = 32
# Longer digit strings are refused before int() sees them; any id the API could mean is shorter.
MAX_DIGITS = 30

# ASCII digits only ('²' and '٣' are digits to Python): a decimal's parts use them unsigned.
_UNSIGNED_DIGITS = re.compile(rf"[0-9]{{1,{MAX_DIGITS}}}")
_DIGITS = re.compile(rf"-?{_UNSIGNED_DIGITS.pattern}")


class Schema(BaseModel):
    """Base of every body and answer: camelCase on the wire, snake_case in Python."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore",
                              frozen=True)

    def to_json(self) -> dict:
        """The answer as the API sends it."""
        return self.model_dump(mode="json", by_alias=True)

    @classmethod
    def from_row(cls, row: object) -> Self:
        """An answer read from a row's attributes of the same names: each field declared once."""
        return cls.model_validate(row, from_attributes=True)


# --- integers ---------------------------------------------------------------------------------

def parse_integer(value: object, *, text: bool) -> int:
    """The one integer rule of every input: a JSON integer (never a bool or a float) or, where
    `text` allows it, an optional minus and 1 to MAX_DIGITS ASCII digits. ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError("not a whole number")
    if isinstance(value, int):
        if abs(value) >= 10**MAX_DIGITS:
            raise ValueError("too many digits")
        return value
    if text and isinstance(value, str) and _DIGITS.fullmatch(value):
        return int(value)
    raise ValueError("not a whole number")


def _bounds_text(minimum: int, maximum: int | None) -> str:
    return (f"from {minimum} to {maximum}" if maximum is not None
            else f"{minimum} or more")


def check_integer(value: object, *, minimum: int, maximum: int | None, text: bool) -> int:
    """parse_integer, then the bounds; ValueError with a sentence a client can act on."""
    bounds = _bounds_text(minimum, maximum)
    try:
        number = parse_integer(value, text=text)
    except ValueError:
        kind = "a whole number (digits 0-9)" if text else "a whole number (a JSON integer)"
        raise ValueError(f"Must be {kind}, {bounds}.") from None
    if number < minimum or (maximum is not None and number > maximum):
        raise ValueError(f"Must be a whole number, {bounds}.")
    return number


def parse_decimal(value: object, *, places: int) -> int:
    """A decimal a person writes ("12.50", "12.5", "12"): ASCII digits, a point and at most
    `places` decimals, no sign; as a whole number of its smallest unit (1250 for places=2).
    ValueError otherwise. The digit rule is parse_integer's."""
    if not isinstance(value, str):
        raise ValueError("not a decimal")
    whole, point, fraction = value.partition(".")
    if not _UNSIGNED_DIGITS.fullmatch(whole) or (point and not (
            len(fraction) <= places and _UNSIGNED_DIGITS.fullmatch(fraction))):
        raise ValueError("not a decimal")
    return int(whole) * 10**places + (int(fraction.ljust(places, "0")) if point else 0)


def Integer(minimum: int = 0, maximum: int | None = MAX_INTEGER, *, text: bool = False,
            description: str | None = None, check: Callable[[int], int] | None = None) -> Any:
    """An integer field: JSON integers only, or digit strings too where `text` allows them.

    Counts and orders are bounded by the database's 32-bit integer. Ids that name a row pass
    maximum=None: an id past what the database holds names nothing, so the service answers
    it as unknown (404/422), as it does for any other missing row. `check` adds a rule of the
    field's own (a ValueError's message is the client's).
    """

    def validate(value: object) -> int:
        try:
            number = check_integer(value, minimum=minimum, maximum=maximum, text=text)
            return check(number) if check else number
        except ValueError as error:
            raise PydanticCustomError("integer", str(error)) from None

    number: dict[str, Any] = {"type": "integer", "minimum": minimum}
    if maximum is not None:
        number["maximum"] = maximum
    schema: dict[str, Any] = number
    if text:
        schema = {"anyOf": [number, {"type": "string", "pattern": rf"^[0-9]{{1,{MAX_DIGITS}}}$"}]}
    if description:
        schema = {**schema, "description": description}
    return Annotated[int, BeforeValidator(validate), WithJsonSchema(schema)]


RowId = Integer(1, None, description="A row's id")
Cents = Integer(0, description="Money in the currency's minor unit")


def Boolean(*, description: str | None = None) -> Any:
    """A true/false field: JSON true or false only, never 1, "yes" or "true"."""
    return Annotated[bool, Strict(), Field(description=description)]


# --- text -------------------------------------------------------------------------------------

def text_problem(value: str, *, multiline: bool = False) -> str | None:
    """Why `value` cannot be stored as text (control characters, lone surrogates), or None."""
    allowed = "\t\n\r" if multiline else ""
    for char in value:
        category = unicodedata.category(char)
        if category == "Cs":
            return "Must be valid Unicode text (it holds a lone surrogate)."
        if category == "Cc" and char not in allowed:
            return f"Must not hold control characters (found U+{ord(char):04X})."
    return None


def check_text(value: object, *, max_length: int, required: bool, multiline: bool = False) -> str:
    """Text from a client: a string, no control characters, whitespace tidied, within limits."""
    if not isinstance(value, str):
        raise ValueError("Must be a non-empty string." if required else "Must be a string.")
    problem = text_problem(value, multiline=multiline)
    if problem:
        raise ValueError(problem)
    value = value.strip() if multiline else " ".join(value.split())
    if required and not value:
        raise ValueError("Must be a non-empty string.")
    if len(value) > max_length:
        raise ValueError(f"At most {max_length} characters.")
    return value


def Text(max_length: int, *, required: bool = True, nullable: bool = False,
         multiline: bool = False, check: Callable[[str], str] | None = None,
         description: str | None = None) -> Any:
    """A text field: its length limit, and whether it may be empty, null or several lines.

    An empty nullable field is stored as null.
    """

    def validate(value: object) -> str | None:
        if value is None and nullable:
            return None
        try:
            text = check_text(value, max_length=max_length, required=required and not nullable,
                              multiline=multiline)
            if nullable and not text:
                return None
            return check(text) if check and text else text
        except ValueError as error:
            raise PydanticCustomError("text", str(error)) from None

    pattern = (r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$" if multiline
               else r"^[^\u0000-\u001f\u007f-\u009f]*$")
    schema: dict[str, Any] = {"type": ["string", "null"] if nullable else "string",
                              "maxLength": max_length, "pattern": pattern}
    if required and not nullable:
        schema["minLength"] = 1
    if description:
        schema["description"] = description
    python_type = str | None if nullable else str
    return Annotated[python_type, BeforeValidator(validate), WithJsonSchema(schema),
                     TextLimit(max_length)]


class TextLimit:
    """Marks a text field with its length limit, so pages can read it (`max_length_of`)."""

    def __init__(self, max_length: int):
        self.max_length = max_length


def _text_limit(schema: type[BaseModel], field: str) -> int | None:
    for item in schema.model_fields[field].metadata:
        if isinstance(item, TextLimit):
            return item.max_length
    return None


def max_length_of(schema: type[BaseModel], field: str) -> int:
    """A text field's length limit, as declared: templates take their maxlength from here."""
    limit = _text_limit(schema, field)
    if limit is None:
        raise LookupError(f"{schema.__name__}.{field} declares no length limit")
    return limit


def text_limits(schema: type[BaseModel]) -> dict[str, int]:
    """The length limit of every text field a schema declares, by attribute name."""
    limits = {field: _text_limit(schema, field) for field in schema.model_fields}
    return {field: limit for field, limit in limits.items() if limit is not None}


def Refused(message: str) -> Any:
    """A field a client may not send at all (any value, null too): `message` says what to do
    instead. The document declares that no value is valid."""

    def refuse(value: object) -> None:
        raise PydanticCustomError("refused", message)

    return Annotated[None, BeforeValidator(refuse),
                     WithJsonSchema({"not": {}, "description": message})]


Timestamp = Annotated[
    datetime,
    PlainSerializer(isoformat_z, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time",
                    "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"}),
]


# --- validation errors as problems --------------------------------------------------------------

def field_path(loc: tuple) -> str:
    """A pydantic error location as the problem format names fields: "[0].quantity", "name"."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def _message(error: Any) -> str:
    if error["type"] in {"integer", "text", "order_status", "refused"}:
        return error["msg"]
    if error["type"] == "missing":
        return "Required."
    return error["msg"].rstrip(".") + "."


def input_problem(field: str, message: str, detail: str | None = None) -> InvalidInput:
    """One named input's problem as the InvalidInput (400) the problem format shows; the
    detail says "field: message" unless another is given."""
    return InvalidInput(detail or f"{field}: {message}",
                        errors=[{"field": field, "message": message}])


def invalid_input(error: ValidationError, detail: str, *, at: tuple = ()) -> InvalidInput:
    """One ValidationError as the one InvalidInput the problem format shows (400); `at` is
    where the validated value sits in the body, to name its fields from the body's top."""
    errors, extra, general = [], {}, []
    for item in error.errors(include_url=False):
        message = _message(item)
        path = field_path(at + tuple(item["loc"]))
        if path:
            errors.append({"field": path, "message": message})
        else:
            general.append(message)
        for key, value in (item.get("ctx") or {}).items():
            if key == "allowed":
                extra[key] = value
    parts = general + [f"{e['field']}: {e['message']}" for e in errors[:5]]
    summary = "; ".join(part.rstrip(".") for part in parts)
    return InvalidInput(f"{detail} {summary}." if summary else detail, errors=errors or None,
                        **extra)


T = TypeVar("T")


@overload
def validate(shape: type[T], data: object, *, detail: str = ..., at: tuple = ...) -> T: ...


@overload
def validate(shape: Any, data: object, *, detail: str = ..., at: tuple = ...) -> Any: ...


def validate(shape: Any, data: object, *, detail: str = "The request is not valid.",
             at: tuple = ()) -> Any:
    """Data checked against a declared shape (a Schema class or a type); InvalidInput if not.
    `at`: where `data` sits in the body (invalid_input names its fields from there)."""
    adapter = shape if isinstance(shape, TypeAdapter) else _adapter(shape)
    try:
        return adapter.validate_python(data)
    except ValidationError as error:
        raise invalid_input(error, detail, at=at) from None


_ADAPTERS: dict[Any, TypeAdapter] = {}


def _adapter(shape: Any) -> TypeAdapter:
    key = id(shape)
    if key not in _ADAPTERS:
        _ADAPTERS[key] = TypeAdapter(shape)
    return _ADAPTERS[key]


# --- JSON bodies ------------------------------------------------------------------------------

def check_json_value(value: object) -> None:
    """Refuse a parsed JSON body nested past MAX_JSON_DEPTH or holding text no database takes
    (NUL, lone surrogates), naming where; walked without recursion."""
    stack: list[tuple[object, tuple, int]] = [(value, (), 0)]
    while stack:
        item, loc, depth = stack.pop()
        if isinstance(item, (list, dict)):
            if depth >= MAX_JSON_DEPTH:
                raise InvalidInput(f"The body is nested more than {MAX_JSON_DEPTH} levels deep.")
            children = item.items() if isinstance(item, dict) else enumerate(item)
            for key, child in children:
                if isinstance(key, str):
                    _check_body_text(key, loc + (key,))
                stack.append((child, loc + (key,), depth + 1))
        elif isinstance(item, str):
            _check_body_text(item, loc)


def _check_body_text(text: str, loc: tuple) -> None:
    try:
        text.encode("utf-8")
        unencodable = False
    except UnicodeEncodeError:
        unencodable = True
    if unencodable or "\x00" in text:
        raise input_problem(field_path(loc) or "body",
                            "Must be valid Unicode text without NUL characters.")
