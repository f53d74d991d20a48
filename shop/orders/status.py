"""The order status state machine: the one table every path goes through."""

from enum import StrEnum

from shop.exceptions import InvalidInput, TransitionForbidden


class OrderStatus(StrEnum):
    PENDING = "pending"
    PAID = "paid"
    SHIPPED = "shipped"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.PENDING: frozenset({OrderStatus.PAID, OrderStatus.CANCELLED}),
    OrderStatus.PAID: frozenset({OrderStatus.SHIPPED, OrderStatus.COMPLETED, OrderStatus.REFUNDED}),
    OrderStatus.SHIPPED: frozenset({OrderStatus.COMPLETED, OrderStatus.REFUNDED}),
    OrderStatus.COMPLETED: frozenset({OrderStatus.REFUNDED}),
    OrderStatus.CANCELLED: frozenset(),
    OrderStatus.REFUNDED: frozenset(),
}

# What the owner of an order may ask for on their own; everything else is for staff.
OWNER_TRANSITIONS = frozenset({
    (OrderStatus.PENDING, OrderStatus.CANCELLED),
    (OrderStatus.PENDING, OrderStatus.PAID),
})


def parse_status(value: object) -> OrderStatus:
    """A status from client input, case-insensitively; InvalidInput lists the allowed ones."""
    allowed = [s.value for s in OrderStatus]
    if isinstance(value, str):
        try:
            return OrderStatus(value.strip().lower())
        except ValueError:
            pass
    raise InvalidInput(
        f"Unknown status {value!r}; use one of: {', '.join(allowed)}.",
        errors=[{"field": "status", "message": f"Must be one of: {', '.join(allowed)}."}],
        allowed=allowed,
    )


def allowed_next(current: OrderStatus) -> list[OrderStatus]:
    """The statuses an order can move to from `current`, in the table's order."""
    return [s for s in OrderStatus if s in TRANSITIONS[current]]


def check_transition(current: OrderStatus, target: OrderStatus) -> None:
    if target not in TRANSITIONS[current]:
        raise TransitionForbidden(
            f"An order that is {current} cannot become {target}.",
            **{"from": current.value, "to": target.value},  # type: ignore[arg-type]
        )
