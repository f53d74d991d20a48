"""Domain exceptions raised by services. They know nothing of HTTP; errors.py maps them."""


class DomainError(Exception):
    """A rule of the shop was broken. `code` is stable and safe to show to clients."""

    code = "domain-error"
    title = "Request not allowed"

    def __init__(self, detail: str, *, errors: list[dict] | None = None, **extra):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors
        self.extra = extra


class InvalidInput(DomainError):
    code = "invalid-input"
    title = "Invalid request"


class NotFound(DomainError):
    code = "not-found"
    title = "Not found"


class PermissionDenied(DomainError):
    code = "forbidden"
    title = "Not allowed"


class StateConflict(DomainError):
    code = "state-conflict"
    title = "Conflict with the current state"


class OutOfStock(StateConflict):
    code = "out-of-stock"
    title = "Not enough stock"


class TransitionForbidden(StateConflict):
    code = "transition-forbidden"
    title = "Status change not allowed"


class UnknownReferences(DomainError):
    code = "unknown-references"
    title = "Unknown references"


class AmountOutOfRange(DomainError):
    """An order's total the payment provider will not charge: below its minimum or above its
    maximum for the currency."""

    code = "amount-out-of-range"
    title = "Amount outside what can be charged"
class UnprocessableContent(DomainError):
    """Well-formed, but its content cannot be used: an image that does not decode, a CSV row."""

    code = "unprocessable-content"
    title = "Content cannot be processed"


class PaymentDeclined(DomainError):
    code = "payment-declined"
    title = "Payment declined"


class PaymentProviderError(DomainError):
    code = "payment-provider-error"
    title = "The payment provider failed"
