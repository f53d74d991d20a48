"""The staff page of the lead pipeline: a board its JavaScript drives through the JSON API."""

from flask import Blueprint, render_template

from shop.accounts.auth import staff_required
from shop.leads import services
from shop.leads.api import lead_json
from shop.leads.schemas import lead_form_limits

bp = Blueprint("leads", __name__)


@bp.get("/staff/leads")
@staff_required
def board():
    """The board: one column per status in statusOrder, each with its leads by position.

    Each card carries its lead as the API shows it, so the script edits what the API sends;
    the dialogs' maxlength attributes come from the API's schema, so a limit is stated once.
    """
    return render_template("leads/board.html", statuses=services.board(), lead_json=lead_json,
                           limits=lead_form_limits())
