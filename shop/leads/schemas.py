"""The shapes of the lead pipeline's API: statuses, leads and their query arguments.

Each lead field is declared once, in LeadChange (what a client may set) and LeadOut (what the
API answers): the API's parsing, its answers, /openapi.json, the services' list of fields and
the board's maxlength attributes all come from these classes.
"""

from typing import Annotated, Any

from pydantic import BeforeValidator

from shop.schemas import (
    Cents,
    Integer,
    RowId,
    Schema,
    Text,
    Timestamp,
    max_length_of,
    text_limits,
)

MAX_STATUS_NAME = 100
MAX_LEAD_NAME = 200
MAX_EMAIL = 254
MAX_COMPANY = 200


def _email(value: str) -> str:
    if "@" not in value or " " in value:
        raise ValueError("Must be an email address.")
    return value


StatusOrder = Integer(0, description="Where the status stands on the board; lower comes first")
Position = Integer(1, description="1-based place in the status's column; past the end means last")
StatusNameText = Text(MAX_STATUS_NAME)
LeadName = Text(MAX_LEAD_NAME)
LeadEmail = Text(MAX_EMAIL, nullable=True, check=_email)
LeadCompany = Text(MAX_COMPANY, nullable=True)


# --- statuses ---------------------------------------------------------------------------------

class StatusPlacement(Schema):
    """One entry of PUT /leads/statuses/order: status `id` goes to `statusOrder`."""

    id: RowId
    status_order: StatusOrder


def _one_or_many(value: object) -> object:
    return [value] if isinstance(value, dict) else value


# The seed's example body is a single object: it is a one-element array.
Reorder = Annotated[list[StatusPlacement], BeforeValidator(
    _one_or_many, json_schema_input_type=list[StatusPlacement] | StatusPlacement)]


class NewStatus(Schema):
    """Body of POST /leads/statuses: appended last unless a statusOrder is given."""

    name: StatusNameText
    status_order: StatusOrder = None


class StatusChange(Schema):
    """Body of PATCH /leads/statuses/{id}: a new name and/or statusOrder."""

    name: StatusNameText = None
    status_order: StatusOrder = None


class StatusOut(Schema):
    """A lead status (a column of the board)."""

    id: int
    name: str
    status_order: int


class DeleteStatusQuery(Schema):
    """Query arguments of DELETE /leads/statuses/{id}."""

    move_leads_to: Integer(1, None, text=True, description="The status that takes its leads") \
        = None


# --- leads ------------------------------------------------------------------------------------

class LeadChange(Schema):
    """Body of PATCH /leads/{id}: any of the fields; statusId and/or position move the lead."""

    name: LeadName = None
    email: LeadEmail = None
    company: LeadCompany = None
    value_in_cents: Cents = None
    status_id: RowId = None
    position: Position = None


class NewLead(LeadChange):
    """Body of POST /leads: last in its status's column unless a position is given."""

    name: LeadName
    status_id: RowId


class LeadOut(Schema):
    """A lead, as the API answers it."""

    id: int
    name: str
    email: str | None
    company: str | None
    value_in_cents: int
    status_id: int
    position: int
    created_at: Timestamp


class LeadListQuery(Schema):
    """Query arguments of GET /leads."""

    status_id: Integer(1, text=True, description="Only the leads of this status") = None


# Where a lead stands on the board: a move, not one of the fields the lead holds.
PLACEMENT_FIELDS = frozenset({"status_id", "position"})
# The fields of a lead a client sets, in declaration order.
LEAD_FIELDS = tuple(field for field in LeadChange.model_fields if field not in PLACEMENT_FIELDS)


def lead_values(change: LeadChange) -> dict[str, Any]:
    """The lead fields a body sets (and only those), by attribute name, as validated."""
    return change.model_dump(include=change.model_fields_set - PLACEMENT_FIELDS)


def lead_form_limits() -> dict[str, int]:
    """maxlength of each text field of the board's lead and status dialogs, from the schema."""
    return {**text_limits(NewLead), "status_name": max_length_of(NewStatus, "name")}


