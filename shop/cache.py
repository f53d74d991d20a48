"""The cache of what every shopper sees (the catalog), forgotten when staff or orders change it.

Entries live under a version of their group ("catalog"). A service that changes the group marks
it with `changed()` inside its transaction; once that transaction commits, the group gets a new
version, so every process asks the database again. The version moves only after the commit:
a request that read the old rows a moment before stores them under the old version, which no
one asks for any more.

In one process (flask run, tests) the cache is in memory. Several processes share Redis
(CACHE_REDIS_URL), so that a change made through one is seen by all; without Redis each process
keeps its own entries for a few seconds only (CACHE_DEFAULT_TIMEOUT). If Redis is unreachable,
the shop answers from the database.
"""

import logging
import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session

from shop.extensions import cache, db
from shop.memo import Memo

log = logging.getLogger(__name__)

T = TypeVar("T")
CATALOG = "catalog"
_CHANGED = "shop.cache.changed"
# Entries this process read lately, by their key. A key names its group's version, and a
# version's entries never change, so only the version is asked of the cache on each request:
# the entry is neither fetched nor unpickled again. Read-only, like everything cached here.
RECENT_ENTRIES = 256
_recent = Memo(RECENT_ENTRIES)  # emptied when full: old versions' entries go with the rest


def configure(app: Flask) -> None:
    """Redis when CACHE_REDIS_URL is set (or CACHE_TYPE says so), otherwise in memory."""
    config = app.config
    if not config.get("CACHE_TYPE"):
        config["CACHE_TYPE"] = "RedisCache" if config.get("CACHE_REDIS_URL") else "SimpleCache"
    if not config.get("CACHE_DEFAULT_TIMEOUT"):
        shared = config["CACHE_TYPE"] not in ("SimpleCache", "simple", "NullCache", "null")
        # Memory of one process is not told of changes made through another: keep it short.
        config["CACHE_DEFAULT_TIMEOUT"] = 300 if shared else 10
    config.setdefault("CACHE_KEY_PREFIX", "shop:")
    cache.init_app(app)


def shared(group: str, name: str, compute: Callable[[], T]) -> T:
    """`compute()`'s result, from the cache while `group` has not changed."""
    found, key = lookup(group, name)
    if found is not None:
        return found
    value = compute()
    store(key, value)
    return value


def lookup(group: str, name: str) -> tuple[Any, str | None]:
    """(the entry `name` of `group` or None, the key to store it under once computed).

    The key carries the group's version as it was before the caller reads the database: a
    change committed meanwhile gives the group a new version, and what the caller stores
    under the old one is never read.
    """
    try:
        key = f"{group}:{_version(group)}:{name}"
        found = _recent.get(key)
        if found is None:
            found = cache.get(key)
            if found is not None:
                _recent.keep(key, found)
        return found, key
    except Exception as error:  # noqa: BLE001 - a cache outage must not become an outage
        log.warning("cache unavailable", extra={"error": repr(error), "group": group})
        return None, None


def store(key: str | None, value: Any) -> None:
    """Keep a value under a key from lookup() (nothing if the cache was unavailable)."""
    if key is None:
        return
    _recent.keep(key, value)
    try:
        cache.set(key, value)
    except Exception as error:  # noqa: BLE001
        log.warning("cache unavailable", extra={"error": repr(error), "key": key})


def changed(group: str = CATALOG, session: Session | None = None) -> None:
    """Note that this transaction (the app's session's, or `session`'s) changes `group`; its
    cache is forgotten when it commits."""
    (session or db.session).info.setdefault(_CHANGED, set()).add(group)


def forget(group: str) -> None:
    """Give `group` a new version now, so that every process asks the database again."""
    try:
        cache.set(_version_key(group), secrets.token_hex(8), timeout=0)
    except Exception as error:  # noqa: BLE001
        log.error("could not invalidate the cache; it expires on its own",
                  extra={"error": repr(error), "group": group})


def _version_key(group: str) -> str:
    return f"{group}:version"


def _version(group: str) -> str:
    version = cache.get(_version_key(group))
    if version is None:
        # First use, or evicted: start a version no earlier entry can have.
        cache.add(_version_key(group), secrets.token_hex(8), timeout=0)
        version = cache.get(_version_key(group))
    return version


# On the Session class, not on db.session: every session of the app, whichever scoped session
# made it (tests make their own), tells the cache what it committed.
@event.listens_for(Session, "after_commit")
def _forget_what_committed(session) -> None:
    for group in session.info.pop(_CHANGED, ()):
        forget(group)


@event.listens_for(Session, "after_soft_rollback")
def _keep_what_rolled_back(session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the whole transaction, not a savepoint
        session.info.pop(_CHANGED, None)
