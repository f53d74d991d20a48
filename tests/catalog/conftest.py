"""Fixtures of the catalog's tests."""

import pytest

from shop.catalog import services
from shop.extensions import db


@pytest.fixture
def ledger_agrees(app):
    """Assert that every product's ledger sums to its stock and chains its stockAfter."""

    def check() -> None:
        from sqlalchemy import select

        from shop.catalog.models import Product, StockMovement

        with app.app_context():
            assert services.ledger_disagreements() == []
            for product in db.session.scalars(select(Product)).unique():
                rows = list(db.session.scalars(
                    select(StockMovement).where(StockMovement.product_id == product.id)
                    .order_by(StockMovement.id)))
                running = 0
                for row in rows:
                    running += row.change
                    assert row.stock_after == running >= 0, (product.id, row.reason)
                assert running == product.stock

    return check
