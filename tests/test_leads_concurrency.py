"""Two staff members working the board at once, on PostgreSQL (real row locks, real threads)."""

import threading

import pytest

from shop.leads import services
from shop.leads.services import StatusPlacement
from tests.helpers import TEST_DATABASE_URL, need

# Real transactions in several threads: they must commit for real.
pytestmark = [pytest.mark.postgres, pytest.mark.real_commits]

ROUNDS = 15


@pytest.fixture(autouse=True)
def on_postgres():
    need(bool(TEST_DATABASE_URL and TEST_DATABASE_URL.startswith("postgresql")),
         "concurrency tests need PostgreSQL (SHOP_TEST_DATABASE_URL)")


def run_together(app, *jobs):
    """Run each job in its own thread and app context (its own session), all at once."""
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def run(job):
        with app.app_context():
            barrier.wait()
            try:
                job()
            except BaseException as error:  # noqa: BLE001 - reported below
                errors.append(error)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a reorder never finished"
    assert errors == []


def test_concurrent_reorders_leave_one_complete_order(app):
    with app.app_context():
        ids = [services.create_status(f"S{n}").id for n in range(6)]
    # Listed in opposite id orders: without locking in one order, these writers deadlock.
    first = [StatusPlacement(i, n) for n, i in enumerate(ids, start=1)]
    second = [StatusPlacement(i, n) for n, i in enumerate(reversed(ids), start=1)][::-1]
    for _ in range(ROUNDS):
        run_together(app, lambda: services.reorder_statuses(first),
                     lambda: services.reorder_statuses(second))
        with app.app_context():
            result = [(s.id, s.status_order) for s in services.list_statuses()]
        assert result in ([(p.status_id, p.status_order) for p in first],
                          sorted(((p.status_id, p.status_order) for p in second),
                                 key=lambda pair: pair[1]))


def test_concurrent_moves_into_one_column_never_share_a_position(app):
    with app.app_context():
        source = services.create_status("New").id
        target = services.create_status("Won").id
        leads = [services.create_lead(dict(name=f"L{n}"), source).id for n in range(12)]
    for start in range(0, len(leads), 4):
        batch = leads[start:start + 4]
        run_together(app, *[
            (lambda lead_id=lead_id: services.update_lead(lead_id, dict(),
                                                          status_id=target, position=1))
            for lead_id in batch])
    with app.app_context():
        won = services.list_leads(target)
        new = services.list_leads(source)
    assert sorted(lead.id for lead in won) == sorted(leads)
    assert [lead.position for lead in won] == list(range(1, len(leads) + 1))
    assert new == []


def test_concurrent_appends_take_distinct_places(app):
    with app.app_context():
        services.create_status("New")
    run_together(app, *[(lambda n=n: services.create_status(f"Stage {n}")) for n in range(5)])
    with app.app_context():
        orders = [s.status_order for s in services.list_statuses()]
    assert orders == [1, 2, 3, 4, 5, 6]
