"""The request's user is read outside the ORM session (shop.database.first_row) and joins the
session when the request makes one: a read whose answer is kept makes no session at all, and a
view that writes sees one user object, the session's."""

import pytest
from flask import g, request_tearing_down
from sqlalchemy import inspect, select

from shop.accounts import services as accounts
from shop.accounts.models import User
from shop.database import has_session
from shop.extensions import db


def sessions_made(app) -> list[bool]:
    """Whether each request made an ORM session, seen as the request ends (before the app
    context's teardown, where flask-sqlalchemy removes it)."""
    made: list[bool] = []

    def seen(sender, **extra):
        made.append(has_session())

    request_tearing_down.connect(seen, app, weak=False)
    return made


@pytest.mark.parametrize("committing", [
    pytest.param(False, id="in the test's transaction"),
    pytest.param(True, id="on the engine's own connections", marks=pytest.mark.real_commits),
])
def test_reads_whose_answers_are_kept_make_no_orm_session(app, client, api_as, make_product,
                                                          committing):
    ann = api_as("ann@example.com")
    ann.post("/orders/new", json=[{"id": make_product(), "quantity": 1}])
    order_id = ann.get("/orders").json[0]["id"]
    ann.get(f"/orders/{order_id}")  # both answers now kept
    made = sessions_made(app)
    assert ann.get("/orders").status_code == 200
    assert ann.get(f"/orders/{order_id}").json["id"] == order_id
    assert ann.get("/orders?limit=abc").status_code == 400
    assert made == [False, False, False]
    # A token that does not exist is refused in the same way, without a session either.
    assert client.get("/orders", headers={"Authorization": "Bearer shop_nope"}).status_code == 401
    assert made[-1] is False


def test_the_user_read_before_the_session_joins_it_when_made(app, make_user):
    user_id = make_user("ann@example.com")
    with app.test_request_context():
        user = accounts.user_by_id(user_id)
        assert not has_session() and inspect(user).detached
        assert db.session.get(User, user_id) is user  # made now; the user is its own
        assert inspect(user).persistent
        user.session_version += 1  # a write through the request's user is saved
        db.session.commit()
        assert g.get("shop_awaiting_session") is None
    with app.app_context():
        assert db.session.scalar(select(User.session_version).where(User.id == user_id)) == 2


def test_a_user_read_when_the_session_exists_is_the_sessions_copy(app, make_user):
    user_id = make_user("ann@example.com")
    with app.test_request_context():
        known = db.session.get(User, user_id)
        known.session_version += 1  # changed in this session, not yet saved
        assert accounts.user_by_id(user_id) is known
        assert known.session_version == 2  # the session's change, not the row's value
        token = accounts.create_token(known, "script")[1]
        assert accounts.user_for_token(token) is known
