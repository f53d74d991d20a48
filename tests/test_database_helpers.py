"""shop.database's helpers for hot reads: InList, and isoformat_z."""

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from shop.catalog.models import Product
from shop.database import InList, isoformat_z
from shop.extensions import db

_products = Product.__table__.c
# A small cache, so that the lists below take both ways: a kept statement and a built one.
NAMES_OF = InList(lambda ids: select(_products.id, _products.name)
                  .where(_products.id.in_(ids)).order_by(_products.id), cached=3)


def test_in_list_reads_the_rows_of_any_count_of_ids(app, make_product):
    ids = [make_product(name=f"Product {n}") for n in range(6)]
    missing = max(ids) + 1000
    with app.app_context():
        for count in range(1, 7):
            wanted = ids[:count] + [missing]  # an id with no row changes nothing
            rows = db.session.execute(*NAMES_OF(wanted)).all()
            assert [tuple(row) for row in rows] == [(pid, f"Product {n}")
                                                   for n, pid in enumerate(ids[:count])]
        # Repeated ids are values like any other.
        assert len(db.session.execute(*NAMES_OF([ids[0], ids[0]])).all()) == 1


def test_in_list_builds_each_count_once_up_to_its_cache():
    first, params = NAMES_OF([7, 8])
    assert params == {"in_0": 7, "in_1": 8}
    assert NAMES_OF([1, 2])[0] is first  # the same statement: compiled once, then cached
    assert NAMES_OF([1, 2, 3])[0] is not first
    long_list = list(range(1, 6))
    statement, params = NAMES_OF(long_list)
    assert NAMES_OF(long_list)[0] is not statement  # past the cache: built each time
    assert list(params.values()) == long_list


@given(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30),
                    timezones=st.sampled_from([UTC, timezone(timedelta(hours=5, minutes=30)),
                                               timezone(timedelta(hours=-8))])))
def test_isoformat_z_writes_the_utc_second_whatever_the_zone(moment):
    written = isoformat_z(moment)
    assert len(written) == 20 and written[10] == "T" and written.endswith("Z")
    # The same instant, to the second, read back as UTC.
    assert datetime.fromisoformat(written[:-1]).replace(tzinfo=UTC) == moment.astimezone(
        UTC).replace(microsecond=0)
