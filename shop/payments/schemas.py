"""The JSON shapes of the payment ledger: a refund asked for, a refund and a dispute answered.

Pydantic v2 models with the API's camelCase names. The Order's `refundedInCents` and
`dispute` use `DisputeOut` below.
"""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    ValidationError,
    field_serializer,
)

from shop.database import isoformat_z
from shop.exceptions import InvalidInput


def _printable(text: str) -> str:
    if any(ord(c) < 32 and c not in "\n\t" or ord(c) == 127 for c in text):
        raise ValueError("must not contain control characters")
    return text


ReasonText = Annotated[str, Field(max_length=500), AfterValidator(_printable)]


class NewRefund(BaseModel):
    """POST /orders/{id}/refunds: an amount in the minor unit (none: what is left), a reason."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    amount_in_cents: StrictInt | None = Field(default=None, alias="amountInCents", gt=0)
    reason: ReasonText | None = None


class RefundOut(BaseModel):
    """A refund as the API shows it (201 of POST, items of GET /orders/{id}/refunds)."""

    model_config = ConfigDict(from_attributes=True, populate_by_name=True)

    id: int
    amount_in_cents: int = Field(alias="amountInCents")
    status: Literal["pending", "succeeded", "failed", "canceled", "requires_action"]
    reason: str | None
    created_at: datetime = Field(alias="createdAt")

    @field_serializer("created_at")
    def _z(self, moment: datetime) -> str:
        return isoformat_z(moment)


class DisputeOut(BaseModel):
    """An order's dispute, as the Order JSON's `dispute` shows it."""

    model_config = ConfigDict(from_attributes=True, populate_by_name=True)

    status: Literal["needs_response", "under_review", "won", "lost"]
    reason: str | None
    amount_in_cents: int = Field(alias="amountInCents")
    due_by: datetime | None = Field(alias="dueBy")

    @field_serializer("due_by")
    def _z(self, moment: datetime | None) -> str | None:
        return isoformat_z(moment) if moment is not None else None


def parse_new_refund(body: object) -> NewRefund:
    """A NewRefund from a request body; InvalidInput (400) naming each wrong field."""
    if not isinstance(body, dict):
        raise InvalidInput('The body must be an object: {"amountInCents": 500, "reason": …}.')
    try:
        return NewRefund.model_validate(body)
    except ValidationError as error:
        raise InvalidInput(
            "Some fields of the refund are wrong.",
            errors=[{"field": ".".join(str(p) for p in e["loc"]) or "body",
                     "message": e["msg"]} for e in error.errors()],
        ) from None


def refund_json(refund) -> dict:
    return RefundOut.model_validate(refund).model_dump(by_alias=True, mode="json")


def dispute_json(dispute) -> dict:
    return DisputeOut.model_validate(dispute).model_dump(by_alias=True, mode="json")
