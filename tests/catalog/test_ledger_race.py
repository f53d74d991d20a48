"""Adjustments racing orders on PostgreSQL: the ledger agrees with stock, stock never < 0."""

import threading

import pytest

from tests.helpers import TEST_DATABASE_URL, need

pytestmark = [pytest.mark.postgres, pytest.mark.real_commits]


def test_adjustments_racing_orders_keep_the_ledger_true(app, api_as, staff, ledger_agrees):
    need(bool(TEST_DATABASE_URL), "the race needs PostgreSQL: set SHOP_TEST_DATABASE_URL")
    pid = staff.post("/products", json={"name": "Last units", "priceInCents": 500,
                                        "stock": 6}).json["id"]
    buyers = [api_as(f"buyer{n}@example.com") for n in range(8)]
    clerks = [api_as(f"clerk{n}@example.com", staff=True) for n in range(4)]
    start = threading.Barrier(len(buyers) + len(clerks) * 2)
    answers: list[tuple[str, int]] = []
    lock = threading.Lock()

    def buy(buyer):
        start.wait(timeout=30)
        response = buyer.post("/orders/new", json=[{"id": pid, "quantity": 2}])
        with lock:
            answers.append(("order", response.status_code))

    def adjust(clerk, change):
        start.wait(timeout=30)
        response = clerk.post(f"/products/{pid}/stock",
                              json={"change": change, "reason": "race"})
        with lock:
            answers.append((f"adjust{change:+d}", response.status_code))

    threads = [threading.Thread(target=buy, args=(b,)) for b in buyers]
    threads += [threading.Thread(target=adjust, args=(c, -3)) for c in clerks]
    threads += [threading.Thread(target=adjust, args=(c, 2)) for c in clerks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(answers) == 16
    assert {status for _, status in answers} <= {200, 201, 409}
    assert all(status == 200 for kind, status in answers if kind == "adjust+2")
    sold = 2 * sum(1 for kind, status in answers if kind == "order" and status == 201)
    removed = 3 * sum(1 for kind, status in answers if kind == "adjust-3" and status == 200)
    stock = staff.get(f"/products/{pid}").json["stock"]
    assert stock == 6 + 2 * 4 - sold - removed >= 0
    history = staff.get(f"/products/{pid}/stock").json
    assert len(history) == 1 + 4 + sold // 2 + removed // 3
    assert history[0]["stockAfter"] == stock
    ledger_agrees()
