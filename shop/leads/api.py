"""JSON routes of the lead pipeline, for staff: statuses (the board's columns) and leads."""

from flask import Blueprint, url_for

from shop.accounts.auth import staff_required
from shop.database import isoformat_z
from shop.exceptions import InvalidInput
from shop.http import int_arg, json_body
from shop.leads import services
from shop.leads.models import Lead, LeadStatus
from shop.leads.services import LeadFields, StatusPlacement

bp = Blueprint("leads_api", __name__)


def status_json(status: LeadStatus) -> dict:
    return {"id": status.id, "name": status.name, "statusOrder": status.status_order}


def lead_json(lead: Lead) -> dict:
    return {
        "id": lead.id,
        "name": lead.name,
        "email": lead.email,
        "company": lead.company,
        "valueInCents": lead.value_in_cents,
        "statusId": lead.status_id,
        "position": lead.position,
        "createdAt": isoformat_z(lead.created_at),
    }


def json_int(value) -> int | None:
    """A JSON integer, never a bool, float or string (the seed types these as numbers)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _object_body() -> dict:
    body = json_body()
    if not isinstance(body, dict):
        raise InvalidInput("The body must be a JSON object.")
    return body


def _optional_int(body: dict, key: str, errors: list, *, minimum: int) -> int | None:
    if key not in body:
        return None
    value = json_int(body[key])
    if value is None or value < minimum:
        errors.append({"field": key, "message": f"Must be a whole number, {minimum} or more."})
        return None
    return value


def parse_placements(body) -> list[StatusPlacement]:
    """[{"id", "statusOrder"}, …], or one such object, as placements; InvalidInput otherwise."""
    single = isinstance(body, dict)
    entries = [body] if single else body
    if not isinstance(entries, list):
        raise InvalidInput('The body must be an array of {"id": 1, "statusOrder": 1} objects.')
    placements, errors = [], []
    for index, entry in enumerate(entries):
        where = "" if single else f"[{index}]."
        if not isinstance(entry, dict):
            errors.append({"field": f"[{index}]",
                           "message": 'Must be an object {"id": …, "statusOrder": …}.'})
            continue
        status_id, order = json_int(entry.get("id")), json_int(entry.get("statusOrder"))
        if "id" not in entry:
            errors.append({"field": where + "id", "message": "Required: the status's id."})
        elif status_id is None or status_id < 1:
            errors.append({"field": where + "id", "message": "Must be a status id (a number)."})
        if "statusOrder" not in entry:
            errors.append({"field": where + "statusOrder", "message": "Required."})
        elif order is None or order < 0:
            errors.append({"field": where + "statusOrder",
                           "message": "Must be a whole number, 0 or more."})
        if status_id is not None and order is not None:
            placements.append(StatusPlacement(status_id, order))
    if errors:
        raise InvalidInput("The new order is not valid; nothing was changed.", errors=errors)
    return placements


@bp.put("/leads/statuses/order")
@staff_required
def reorder_statuses():
    """Give statuses a new statusOrder, atomically; answers every status in the new order."""
    statuses = services.reorder_statuses(parse_placements(json_body()))
    return [status_json(s) for s in statuses]


@bp.get("/leads/statuses")
@staff_required
def list_statuses():
    """Every status, ordered by statusOrder then id."""
    return [status_json(s) for s in services.list_statuses()]


@bp.post("/leads/statuses")
@staff_required
def create_status():
    """Add a status, last unless a statusOrder is given."""
    body = _object_body()
    errors: list = []
    order = _optional_int(body, "statusOrder", errors, minimum=0)
    if "name" not in body:
        errors.append({"field": "name", "message": "Required."})
    if errors:
        raise InvalidInput("The status is not valid.", errors=errors)
    status = services.create_status(body["name"], order)
    location = url_for(".get_status", status_id=status.id)
    return status_json(status), 201, {"Location": location}


@bp.get("/leads/statuses/<int:status_id>")
@staff_required
def get_status(status_id: int):
    """One status."""
    return status_json(services.get_status(status_id))


@bp.patch("/leads/statuses/<int:status_id>")
@staff_required
def update_status(status_id: int):
    """Rename a status (a statusOrder may come along)."""
    body = _object_body()
    errors: list = []
    order = _optional_int(body, "statusOrder", errors, minimum=0)
    if "name" not in body and order is None and not errors:
        errors.append({"field": "name", "message": "Required: the new name."})
    if errors:
        raise InvalidInput("Nothing valid to change.", errors=errors)
    kwargs = {"name": body["name"]} if "name" in body else {}
    return status_json(services.update_status(status_id, status_order=order, **kwargs))


@bp.delete("/leads/statuses/<int:status_id>")
@staff_required
def delete_status(status_id: int):
    """Delete a status; ?moveLeadsTo= names where its leads go (409 if it has some and none)."""
    services.delete_status(status_id, int_arg("moveLeadsTo", minimum=1))
    return "", 204


@bp.get("/leads")
@staff_required
def list_leads():
    """Every lead by status and position; ?statusId= keeps one column."""
    return [lead_json(lead) for lead in services.list_leads(int_arg("statusId", minimum=1))]


def _lead_fields(body: dict) -> LeadFields:
    keys = {"name": "name", "email": "email", "company": "company",
            "valueInCents": "value_in_cents"}
    return LeadFields(**{attr: body[key] for key, attr in keys.items() if key in body})


@bp.post("/leads")
@staff_required
def create_lead():
    """Add a lead to a status (last in its column unless a position is given)."""
    body = _object_body()
    errors: list = []
    status_id = _optional_int(body, "statusId", errors, minimum=1)
    if status_id is None and not errors:
        errors.append({"field": "statusId", "message": "Required: the lead's status id."})
    position = _optional_int(body, "position", errors, minimum=1)
    if errors or status_id is None:
        raise InvalidInput("The lead is not valid.", errors=errors)
    lead = services.create_lead(_lead_fields(body), status_id, position)
    return lead_json(lead), 201, {"Location": url_for(".get_lead", lead_id=lead.id)}


@bp.get("/leads/<int:lead_id>")
@staff_required
def get_lead(lead_id: int):
    """One lead."""
    return lead_json(services.get_lead(lead_id))


@bp.patch("/leads/<int:lead_id>")
@staff_required
def update_lead(lead_id: int):
    """Edit a lead; statusId and/or position move it on the board."""
    body = _object_body()
    errors: list = []
    status_id = _optional_int(body, "statusId", errors, minimum=1)
    position = _optional_int(body, "position", errors, minimum=1)
    if errors:
        raise InvalidInput("The change is not valid.", errors=errors)
    lead = services.update_lead(lead_id, _lead_fields(body), status_id=status_id,
                                position=position)
    return lead_json(lead)


@bp.delete("/leads/<int:lead_id>")
@staff_required
def delete_lead(lead_id: int):
    """Delete a lead."""
    services.delete_lead(lead_id)
    return "", 204
