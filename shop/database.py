"""The declarative base every model shares, the transaction helper, and column helpers."""

import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Generic, TypeVar

from flask import current_app, g, has_app_context
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import (
    BindParameter,
    Connection,
    DateTime,
    Engine,
    Executable,
    MetaData,
    Row,
    bindparam,
    event,
)
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, registry
from sqlalchemy.orm.exc import ObjectDeletedError, StaleDataError
from sqlalchemy.types import TypeDecorator

from shop.exceptions import StateConflict

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Ids, counts and offsets are the databases' 32-bit INTEGER; nothing larger can exist.
MAX_INTEGER = 2**31 - 1


def is_row_id(value: int) -> bool:
    """Whether `value` could be a row's id; asking the database for any other would fail."""
    return 0 < value <= MAX_INTEGER


# Objects that only their hand-written migration knows: PostgreSQL-only expression indexes,
# which Alembic can neither compare nor reflect on SQLite (shop.catalog.models creates them for
# tests with DDL events).
HAND_WRITTEN = {"ix_products_search", "ix_products_sku_prefix"}


def include_in_autogenerate(obj, name, type_, reflected, compare_to) -> bool:
    """Whether Alembic's autogenerate compares this object (not the HAND_WRITTEN ones)."""
    return name not in HAND_WRITTEN


S = TypeVar("S", bound=Executable)


class InList(Generic[S]):
    """A statement with `column IN (…)` over a list of values, built once per count of values.

    SQLAlchemy's expanding parameter (`bindparam(..., expanding=True)`) rewrites the compiled
    SQL on every execution, which on a page of orders costs more than the database's answer.
    Here each count of values gets its own statement with one bound parameter per value: it is
    compiled once and then found in SQLAlchemy's statement cache. `build` takes the list of
    parameters to put in the IN and returns the statement. Counts up to `cached` are kept
    (a page, a cart); a longer list builds its statement each time.

        ITEMS = InList(lambda ids: select(items).where(items.c.order_id.in_(ids)))
        db.session.execute(*ITEMS(order_ids))
    """

    def __init__(self, build: Callable[[list[BindParameter]], S], *, cached: int = 128):
        self._build = build
        self._cached = cached
        self._statements: dict[int, S] = {}
        self._names = [f"in_{n}" for n in range(cached)]

    def __call__(self, values: Sequence) -> tuple[S, dict]:
        """The statement for this many values, and its parameters."""
        count = len(values)
        names = self._names[:count] if count <= self._cached else [f"in_{n}" for n in range(count)]
        statement = self._statements.get(count)
        if statement is None:  # two threads may both build it: the same statement either way
            statement = self._build([bindparam(name) for name in names])
            if count <= self._cached:
                self._statements[count] = statement
        return statement, dict(zip(names, values, strict=True))


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC that always comes back timezone-aware (SQLite forgets)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given; use shop.database.utcnow()")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


def isoformat_z(moment: datetime) -> str:
    """ISO 8601 in UTC with a Z suffix, to the second, as the API promises."""
    # isoformat is C and several times faster than strftime; the +00:00 it adds is cut off.
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    return moment.isoformat(timespec="seconds")[:19] + "Z"


# Objects read outside the ORM session, waiting in `g` for the request's session to be made.
_AWAITING = "shop_awaiting_session"


class ShopSession(FlaskSession):
    """The app's ORM session (db.session). When a request makes it, the objects read before
    it existed (the request's user: see first_row) join it, so that the session knows them
    as if it had loaded them itself."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if has_app_context():
            for obj in g.pop(_AWAITING, ()):
                self.add(obj)


def has_session() -> bool:
    """Whether this request (app context) has made its ORM session yet."""
    return current_app.extensions["sqlalchemy"].session.registry.has()


def join_session_when_made(obj) -> None:
    """Add a detached object to this request's session once the request makes one."""
    g.setdefault(_AWAITING, []).append(obj)


def first_row(statement: Executable, parameters: dict) -> Row | None:
    """The first row of a read that needs nothing of the ORM session.

    Starting and ending a session's transaction costs more than a small query (it was a sixth
    of an API read whose answer is kept): a request that has no session yet reads on a pooled
    connection of its own, returned at once, and makes no session at all unless it goes on to
    use one. A request that has one reads on its connection, in its transaction. A session
    factory bound to one connection (the tests' is) is read through that connection.
    """
    db = current_app.extensions["sqlalchemy"]
    if has_session():
        return db.session.connection().execute(statement, parameters).first()
    bound = db.session.session_factory.kw.get("bind")
    if isinstance(bound, Connection):
        return bound.execute(statement, parameters).first()
    with db.engine.connect() as connection:
        return connection.execute(statement, parameters).first()


@contextmanager
def transaction() -> Iterator[Session]:
    """Run a block as one transaction: commit if it ends normally, roll back on any exception.

    Lock order. Every write that locks rows takes them in this order, so that two requests
    never wait on each other in a circle (a deadlock, which PostgreSQL ends with an error):

        order  ->  payment (the offline gateway's intent row)  ->  product (stock)  ->  user

    The user's row is written by the triggers that move users.orders_version (shop.orders.models)
    and, on PostgreSQL, only at the commit: after every other lock, whatever the block wrote
    first. A path that would touch a payment or stock first locks the order that owns them first
    (``SELECT … FOR UPDATE``), even when it reached the order through its payment. Lead
    pipeline writes lock the status rows (all of them, or the ones named, in id order) before
    any lead row. Rows a transaction inserts are nobody else's yet and lock nothing.

    After the commit, objects keep the values this transaction gave them (they are not
    expired), so the answer shows what the request wrote without reading it again, and a row
    another request deletes right after the commit cannot break that answer.

    A row another request deleted or changed under this one (the ORM's StaleDataError or
    ObjectDeletedError) becomes a StateConflict (409), never a 500.
    """
    session: Session = current_app.extensions["sqlalchemy"].session()
    try:
        yield session
        expire_on_commit, session.expire_on_commit = session.expire_on_commit, False
        try:
            session.commit()
        finally:
            session.expire_on_commit = expire_on_commit
    except (StaleDataError, ObjectDeletedError) as error:
        session.rollback()
        raise StateConflict("The record was changed or deleted by another request meanwhile; "
                            "nothing was changed. Please reload and try again.") from error
    except BaseException:
        session.rollback()
        raise


# When a pooled connection was last handed back (or made), in its ConnectionRecord.info.
_LAST_USED = "shop_last_used"


def check_idle_connections(engine: Engine, after_idle: float) -> None:
    """Ping a pooled connection to a database server before handing it out, but only when it
    sat unused for more than `after_idle` seconds.

    pool_pre_ping pings on every checkout: a round trip on every request, and two on one that
    reads its user before its session (see first_row). A connection handed back a moment ago
    was working a moment ago; one that sat idle may have been dropped by the server, a proxy
    or a restart, and is pinged, and replaced if the ping fails (DisconnectionError makes the
    pool connect again). The risk taken: a connection that breaks within `after_idle` of its
    last use fails the one request that gets it, and SQLAlchemy then replaces every
    connection of the pool. A SQLite file cannot drop, and is never pinged.
    """
    if engine.dialect.name == "sqlite":
        return

    def mark_used(dbapi_connection, record) -> None:
        record.info[_LAST_USED] = time.monotonic()

    event.listen(engine, "connect", mark_used)
    event.listen(engine, "checkin", mark_used)

    @event.listens_for(engine, "checkout")
    def ping_if_idle(dbapi_connection, record, proxy) -> None:
        if time.monotonic() - record.info.get(_LAST_USED, 0.0) <= after_idle:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise DisconnectionError("the pooled connection did not answer a ping") from error


@event.listens_for(Engine, "connect")
def _sqlite_for_several_processes(dbapi_connection, connection_record) -> None:
    """SQLite in write-ahead-log mode: readers never wait for a writer, and a commit costs one
    sync of the log instead of several of the database (gunicorn's workers share the file)."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
