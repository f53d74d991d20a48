"""The shapes of the lead pipeline's API: statuses, leads and their query arguments.

The length limits live here; the services and the board's form fields read them from here.
"""

from typing import Annotated, Any

from pydantic import BeforeValidator

from shop.leads.models import Lead, LeadStatus
from shop.schemas import Cents, Integer, RowId, Schema, Text, Timestamp, max_length_of

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

    @classmethod
    def of(cls, status: LeadStatus) -> "StatusOut":
        return cls(id=status.id, name=status.name, status_order=status.status_order)


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

    @classmethod
    def of(cls, lead: Lead) -> "LeadOut":
        return cls(id=lead.id, name=lead.name, email=lead.email, company=lead.company,
                   value_in_cents=lead.value_in_cents, status_id=lead.status_id,
                   position=lead.position, created_at=lead.created_at)


class LeadListQuery(Schema):
    """Query arguments of GET /leads."""

    status_id: Integer(1, text=True, description="Only the leads of this status") = None


LEAD_FIELDS = ("name", "email", "company", "value_in_cents")


def lead_form_limits() -> dict[str, int]:
    """maxlength of each text field of the board's lead and status dialogs, from the schema."""
    limits: dict[str, Any] = {field: max_length_of(NewLead, field)
                              for field in ("name", "email", "company")}
    limits["status_name"] = max_length_of(NewStatus, "name")
    return limits


