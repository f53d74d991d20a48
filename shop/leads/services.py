"""The lead pipeline: its statuses (the board's columns, in statusOrder) and the leads in them.

Every write locks the rows it depends on before reading them (SELECT … FOR UPDATE on
PostgreSQL; SQLite serialises writers by itself): status rows first, in id order, then lead
rows, so that two writers never deadlock. A lead or status deleted by another request meanwhile
is NotFound (404), never a 500. Lead positions are 1-based and renumbered 1..n in every
column a write touches, so a column never holds two leads at the same position.

The values given here are already valid: the API checks them against the schemas in
`schemas.py`, the one place each rule is stated. What a service refuses is what only the
database can decide (an unknown or vanished row, a status that still holds leads).
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import SimpleNamespace

from sqlalchemy import func, select

from shop.database import MAX_INTEGER, InList, is_row_id, transaction
from shop.exceptions import InvalidInput, NotFound, StateConflict, UnknownReferences
from shop.extensions import db
from shop.leads.models import Lead, LeadStatus
from shop.schemas import input_problem

# Any fixed number: the advisory lock that serialises appending statuses on PostgreSQL.
APPEND_LOCK_KEY = 5_000_001


@dataclass(frozen=True)
class StatusPlacement:
    """One entry of a reorder: status `status_id` goes to `status_order`."""

    status_id: int
    status_order: int


def _unknown_statuses(status_ids: list[int], field: str = "statusId",
                      detail: str | None = None) -> UnknownReferences:
    """The 422 for statuses named in `field` that do not exist, naming each of them."""
    return UnknownReferences(
        detail or f"There is no lead status {', '.join(map(str, status_ids))}.",
        errors=[{"field": field, "message": f"Unknown status {i}."} for i in status_ids],
        statusIds=status_ids)


# --- statuses -------------------------------------------------------------------------------

def _ordered_statuses():
    return select(LeadStatus).order_by(LeadStatus.status_order, LeadStatus.id)


def list_statuses() -> list[LeadStatus]:
    """Every status, ordered by statusOrder then id."""
    return list(db.session.scalars(_ordered_statuses()))


class BoardStatus(SimpleNamespace):
    """A status of the board as read for the page: its columns, and `leads` (by position) as
    LeadRows. Read-only: writes load the LeadStatus itself."""


class LeadRow(SimpleNamespace):
    """A lead's columns, as read for the board."""


_status_columns = LeadStatus.__table__.c
_lead_columns = Lead.__table__.c
# Built once: plain rows, not ORM objects, as the board only shows them.
_BOARD_STATUSES = select(_status_columns).order_by(_status_columns.status_order,
                                                   _status_columns.id)
_BOARD_LEADS = InList(lambda status_ids: select(_lead_columns)
                      .where(_lead_columns.status_id.in_(status_ids))
                      .order_by(_lead_columns.position, _lead_columns.id))


def board() -> list[BoardStatus]:
    """Every status in order with its leads (by position): two queries, whatever the size
    (one when there is no status)."""
    statuses = [BoardStatus(**row._asdict(), leads=[])
                for row in db.session.execute(_BOARD_STATUSES)]
    if statuses:
        by_id = {status.id: status for status in statuses}
        for row in db.session.execute(*_BOARD_LEADS(list(by_id))):
            by_id[row.status_id].leads.append(LeadRow(**row._asdict()))
    return statuses


def get_status(status_id: int) -> LeadStatus:
    """One status, or NotFound."""
    status = db.session.get(LeadStatus, status_id) if is_row_id(status_id) else None
    if status is None:
        raise NotFound(f"There is no lead status {status_id}.")
    return status


def _lock_statuses(ids: Iterable[int] | None = None) -> dict[int, LeadStatus]:
    """Lock status rows (all of them, or these ids) in id order; returns those that exist."""
    query = select(LeadStatus).order_by(LeadStatus.id).with_for_update()
    if ids is not None:
        wanted = sorted({i for i in ids if is_row_id(i)})
        if not wanted:
            return {}
        query = query.where(LeadStatus.id.in_(wanted))
    # populate_existing: after waiting for a lock, see the row as the other writer left it.
    rows = db.session.scalars(query.execution_options(populate_existing=True))
    return {status.id: status for status in rows}


def reorder_statuses(placements: Sequence[StatusPlacement]) -> list[LeadStatus]:
    """Give the listed statuses their new statusOrder, all or nothing; returns every status.

    Statuses not listed keep their statusOrder. The same id twice is InvalidInput; ids that
    do not exist are UnknownReferences naming every one of them.
    """
    errors = []
    seen: set[int] = set()
    for index, placement in enumerate(placements):
        if placement.status_id in seen:
            errors.append({"field": f"[{index}].id",
                           "message": f"Status {placement.status_id} is listed more than once."})
        seen.add(placement.status_id)
    if errors:
        raise InvalidInput("The new order is not valid; nothing was changed.", errors=errors)

    with transaction():
        statuses = _lock_statuses(seen)
        missing = sorted(seen - set(statuses))
        if missing:
            raise _unknown_statuses(
                missing, "id",
                "No lead status with id " + ", ".join(map(str, missing)) + "; nothing was changed.")
        for placement in sorted(placements, key=lambda p: p.status_id):
            statuses[placement.status_id].status_order = placement.status_order
    return list_statuses()


def _next_status_order() -> int:
    """One more than the last statusOrder, taken so that concurrent appends get distinct ones.

    Row locks cannot cover rows that do not exist yet, so on PostgreSQL appends also queue on
    a transaction-scoped advisory lock; the maximum is read after the locks, by a statement
    that sees what the writers before us committed.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(func.pg_advisory_xact_lock(APPEND_LOCK_KEY)))
    _lock_statuses()
    last = db.session.scalar(select(func.max(LeadStatus.status_order))) or 0
    if last >= MAX_INTEGER:
        # The column holds nothing past it; the board must be renumbered to make room.
        raise StateConflict("The last status already has the highest statusOrder there is; "
                            "reorder the statuses (PUT /leads/statuses/order) to make room.")
    return last + 1


def create_status(name: str, status_order: int | None = None) -> LeadStatus:
    """Add a status, last on the board unless a statusOrder is given."""
    with transaction():
        if status_order is None:
            status_order = _next_status_order()
        status = LeadStatus(name=name, status_order=status_order)
        db.session.add(status)
    return status


def update_status(status_id: int, *, name: str | None = None,
                  status_order: int | None = None) -> LeadStatus:
    """Rename a status and/or give it a statusOrder; None leaves either as it is."""
    with transaction():
        status = _lock_statuses([status_id]).get(status_id)
        if status is None:
            raise NotFound(f"There is no lead status {status_id}.")
        if name is not None:
            status.name = name
        if status_order is not None:
            status.status_order = status_order
    return status


def delete_status(status_id: int, move_leads_to: int | None = None) -> int:
    """Delete a status; its leads go to the end of `move_leads_to`. Returns how many moved.

    StateConflict when the status still holds leads and no target is named.
    """
    if move_leads_to is not None and move_leads_to == status_id:
        raise input_problem("moveLeadsTo", "Name another status.",
                            "Leads cannot be moved to the status being deleted.")
    with transaction():
        ids = [status_id] + ([move_leads_to] if move_leads_to is not None else [])
        statuses = _lock_statuses(ids)
        status = statuses.get(status_id)
        if status is None:
            raise NotFound(f"There is no lead status {status_id}.")
        leads = _column(status_id)
        if leads and move_leads_to is None:
            raise StateConflict(
                f"The status “{status.name}” still holds {len(leads)} lead(s); name a status "
                "to move them to with ?moveLeadsTo=.",
                leadCount=len(leads),
            )
        if move_leads_to is not None:
            if move_leads_to not in statuses:
                raise _unknown_statuses([move_leads_to], "moveLeadsTo",
                                        f"There is no lead status {move_leads_to} to move the "
                                        "leads to.")
            target = _column(move_leads_to)
            for lead in leads:
                lead.status_id = move_leads_to
            _renumber(target + leads)
            # Written before the delete, so the ORM finds no lead left to orphan.
            db.session.flush()
        db.session.delete(status)
    return len(leads)


# --- leads ----------------------------------------------------------------------------------

def _column(status_id: int) -> list[Lead]:
    """The leads of one status, by position (then id, which breaks any old tie)."""
    query = (select(Lead).where(Lead.status_id == status_id)
             .order_by(Lead.position, Lead.id).execution_options(populate_existing=True))
    return list(db.session.scalars(query))


def _renumber(leads: list[Lead]) -> None:
    for position, lead in enumerate(leads, start=1):
        if lead.position != position:
            lead.position = position


def list_leads(status_id: int | None = None) -> list[Lead]:
    """Every lead (or those of one status), by status, then position."""
    query = select(Lead).order_by(Lead.status_id, Lead.position, Lead.id)
    if status_id is not None:
        query = query.where(Lead.status_id == status_id)
    return list(db.session.scalars(query))


def get_lead(lead_id: int) -> Lead:
    """One lead, or NotFound."""
    lead = db.session.get(Lead, lead_id) if is_row_id(lead_id) else None
    if lead is None:
        raise NotFound(f"There is no lead {lead_id}.")
    return lead




def create_lead(values: Mapping[str, object], status_id: int,
                position: int | None = None) -> Lead:
    """Add a lead with these field values to a status, last in its column unless a position
    is given."""
    with transaction():
        if status_id not in _lock_statuses([status_id]):
            raise _unknown_statuses([status_id])
        column = _column(status_id)
        lead = Lead(status_id=status_id, position=0, **values)
        db.session.add(lead)
        index = len(column) if position is None else min(position - 1, len(column))
        column.insert(index, lead)
        _renumber(column)
    return lead


def update_lead(lead_id: int, values: Mapping[str, object], *, status_id: int | None = None,
                position: int | None = None) -> Lead:
    """Set these field values of a lead; a new statusId and/or position moves it (positions
    start at 1).

    The lead's old and new columns are renumbered 1..n; a position past the end means last.
    A lead deleted meanwhile is NotFound.
    """
    moving = status_id is not None or position is not None
    with transaction():
        # The status rows stand for their columns: whoever holds them may renumber leads. A
        # move locks them all (a board has a handful) before the lead, as deletes do.
        statuses = _lock_statuses() if moving else {}
        lead = _locked_lead(lead_id)
        if moving:
            _move(lead, statuses, status_id if status_id is not None else lead.status_id,
                  position)
        for attr, value in values.items():
            setattr(lead, attr, value)
    return lead


def _locked_lead(lead_id: int) -> Lead:
    """A lead, locked and read as committed; NotFound if it does not exist (or no longer)."""
    lead = db.session.scalar(
        select(Lead).where(Lead.id == lead_id).with_for_update()
        .execution_options(populate_existing=True)
    ) if is_row_id(lead_id) else None
    if lead is None:
        raise NotFound(f"There is no lead {lead_id}.")
    return lead


def _move(lead: Lead, statuses: dict[int, LeadStatus], status_id: int,
          position: int | None) -> None:
    """Put a locked lead at `position` of `status_id`, with every status row locked."""
    if status_id not in statuses:
        raise _unknown_statuses([status_id])
    source = [other for other in _column(lead.status_id) if other.id != lead.id]
    if status_id == lead.status_id:
        target = source
    else:
        target = [other for other in _column(status_id) if other.id != lead.id]
        lead.status_id = status_id
        _renumber(source)
    index = len(target) if position is None else min(position - 1, len(target))
    target.insert(index, lead)
    _renumber(target)


def delete_lead(lead_id: int) -> None:
    """Delete a lead and close the gap it leaves in its column; NotFound if already gone."""
    with transaction():
        _lock_statuses()
        lead = _locked_lead(lead_id)
        column = [other for other in _column(lead.status_id) if other.id != lead.id]
        db.session.delete(lead)
        _renumber(column)
