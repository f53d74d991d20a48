"""GET /healthz: whether this process can reach its database, for a load balancer."""

from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from shop.errors import database_unavailable
from shop.extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """200 when the database answers, 503 problem when it does not."""
    try:
        db.session.execute(text("SELECT 1"))
    except DBAPIError:
        db.session.rollback()
        return database_unavailable(api=True)
    finally:
        db.session.remove()
    return jsonify(status="ok")
