"""What a process worked out from a user's orders (an answer's list, a page's listing), kept
for the requests after it until one of those orders changes.

An order list is read far more often than it changes: a script polls GET /orders, a shopper
comes back to their history. The database moves the user's `orders_version` in the same
transaction as any write to their orders, items or disputes (triggers, whatever wrote it:
shop.orders.models), and the request reads that version with the user, before it reads any
order. So an entry kept under (user, version) holds what the orders were at that version or
later, and a change gives the user a new version that no entry has yet. Several processes need
not tell each other anything: each asks its own memory with the version the database gives.

Only for requests that do not change orders themselves (the user's version was read before such
a change, and would name what the request just replaced). Entries are read-only: share, never
change them.
"""

from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import current_app

from shop.memo import Memo

T = TypeVar("T")
# Entries a process keeps (of every user, version and page) before it starts afresh.
MOST_ENTRIES = 2048
_EXTENSION = "shop.orders.kept"


def kept(user, name: Hashable, compute: Callable[[], T],
         only_if: Callable[[T], bool] | None = None) -> T:
    """`compute()`'s result for `user`, worked out again only once their orders changed; kept
    only when `only_if(result)` holds, if given (what shows only the user's own orders)."""
    memo = current_app.extensions.get(_EXTENSION)
    if memo is None:  # one per app: another app (a test's) has another database
        memo = current_app.extensions.setdefault(_EXTENSION, Memo(MOST_ENTRIES))
    key = (user.id, user.orders_version, name)
    found = memo.get(key)
    if found is None:
        found = compute()
        if only_if is None or only_if(found):
            memo.keep(key, found)
    return found
