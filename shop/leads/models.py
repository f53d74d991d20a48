"""The sales pipeline: lead statuses (its columns) and the leads in them."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.database import utcnow
from shop.extensions import db


class LeadStatus(db.Model):
    __tablename__ = "lead_statuses"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    status_order: Mapped[int] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    leads: Mapped[list["Lead"]] = relationship(back_populates="status", lazy="raise_on_sql",
                                               order_by="(Lead.position, Lead.id)")


class Lead(db.Model):
    __tablename__ = "leads"
    __table_args__ = (Index("ix_leads_status_id_position", "status_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    company: Mapped[str | None] = mapped_column(String(200))
    value_in_cents: Mapped[int] = mapped_column(default=0)
    status_id: Mapped[int] = mapped_column(ForeignKey("lead_statuses.id"))
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    status: Mapped[LeadStatus] = relationship(back_populates="leads", lazy="raise_on_sql")
