"""JSON routes of the lead pipeline, for staff: statuses (the board's columns) and leads."""

from flask import Blueprint, url_for

from shop.accounts.auth import staff_required
from shop.http import json_body, query_as
from shop.leads import schemas, services
from shop.leads.models import Lead, LeadStatus
from shop.leads.services import StatusPlacement as Placement
from shop.schemas import input_problem, validate

bp = Blueprint("leads_api", __name__)

LEAD_NOT_VALID = "Some fields of the lead are not valid."


def status_json(status: LeadStatus) -> dict:
    return schemas.StatusOut.from_row(status).to_json()


def lead_json(lead: Lead) -> dict:
    return schemas.LeadOut.from_row(lead).to_json()


def parse_placements(body) -> list[Placement]:
    """[{"id", "statusOrder"}, …], or one such object, as placements; InvalidInput otherwise."""
    detail = "The new order is not valid; nothing was changed."
    # A single object's errors name its fields bare ("id"), an array's by index ("[0].id").
    entries = [validate(schemas.StatusPlacement, body, detail=detail)] if isinstance(body, dict) \
        else validate(schemas.Reorder, body, detail=detail)
    return [Placement(entry.id, entry.status_order) for entry in entries]


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
    new = validate(schemas.NewStatus, json_body(), detail="The status is not valid.")
    status = services.create_status(new.name, new.status_order)
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
    change = validate(schemas.StatusChange, json_body(), detail="Nothing valid to change.")
    if not change.model_fields_set:
        raise input_problem("name", "Required: the new name.", "Nothing valid to change.")
    return status_json(services.update_status(status_id, name=change.name,
                                              status_order=change.status_order))


@bp.delete("/leads/statuses/<int:status_id>")
@staff_required
def delete_status(status_id: int):
    """Delete a status; ?moveLeadsTo= names where its leads go (409 if it has some and none)."""
    services.delete_status(status_id, query_as(schemas.DeleteStatusQuery).move_leads_to)
    return "", 204


@bp.get("/leads")
@staff_required
def list_leads():
    """Every lead by status and position; ?statusId= keeps one column."""
    query = query_as(schemas.LeadListQuery)
    return [lead_json(lead) for lead in services.list_leads(query.status_id)]


@bp.post("/leads")
@staff_required
def create_lead():
    """Add a lead to a status (last in its column unless a position is given)."""
    new = validate(schemas.NewLead, json_body(), detail=LEAD_NOT_VALID)
    lead = services.create_lead(schemas.lead_values(new), new.status_id, new.position)
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
    change = validate(schemas.LeadChange, json_body(), detail=LEAD_NOT_VALID)
    lead = services.update_lead(lead_id, schemas.lead_values(change), status_id=change.status_id,
                                position=change.position)
    return lead_json(lead)


@bp.delete("/leads/<int:lead_id>")
@staff_required
def delete_lead(lead_id: int):
    """Delete a lead."""
    services.delete_lead(lead_id)
    return "", 204
