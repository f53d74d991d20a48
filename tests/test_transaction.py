"""The one transaction helper: commit on success, roll back on any exception."""

import pytest
from sqlalchemy import delete, select

from shop.catalog.models import Product
from shop.database import transaction
from shop.exceptions import StateConflict
from shop.extensions import db


def stock(product_id: int) -> int:
    return db.session.scalar(select(Product.stock).where(Product.id == product_id)
                             .execution_options(populate_existing=True))


def test_a_block_that_ends_normally_is_committed(app, make_product):
    pid = make_product(stock=5)
    with app.app_context(), transaction():
        db.session.get(Product, pid).stock = 4
    with app.app_context():
        assert stock(pid) == 4


@pytest.mark.parametrize("error", [ValueError("boom"), KeyboardInterrupt()])
def test_any_exception_rolls_everything_back_and_goes_on(app, make_product, error):
    pid = make_product(stock=5)
    with app.app_context():
        with pytest.raises(type(error)), transaction():
            db.session.get(Product, pid).stock = 1
            db.session.flush()
            raise error
        # The session is usable again at once, and the change is gone.
        assert stock(pid) == 5
    with app.app_context():
        assert stock(pid) == 5


def test_values_written_stay_readable_after_the_commit(app, make_product, count_queries):
    pid = make_product(stock=5, name="Kettle")
    with app.app_context():
        with transaction():
            product = db.session.get(Product, pid)
            product.stock = 3
        with count_queries() as statements:
            assert (product.name, product.stock) == ("Kettle", 3)
        assert statements == []


@pytest.mark.real_commits  # a second connection deletes the row: it must see a committed one
def test_a_row_deleted_under_the_transaction_is_a_conflict_not_a_crash(app, make_product):
    pid = make_product(stock=5)
    with app.app_context():
        product = db.session.get(Product, pid)
        db.session.commit()
        # Another request deletes the row while this one still holds it.
        with db.engine.begin() as other:
            other.execute(delete(Product).where(Product.id == pid))
        with pytest.raises(StateConflict), transaction():
            product.stock = 4
        assert stock(pid) is None
