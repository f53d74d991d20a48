"""The HTTP benchmark runs and reports numbers (a smoke check: no timings are asserted)."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import TEST_DATABASE_URL, need

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(bool(TEST_DATABASE_URL),
                    reason="the smoke check runs once, in the SQLite pass (it builds its own "
                           "scratch databases)")
def test_quick_benchmark_reports_every_path(tmp_path):
    need(shutil.which("wrk") is not None, "the benchmark needs wrk (apt-get install wrk)")
    out = tmp_path / "results.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench.load", "--quick", "--databases", "sqlite",
         "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
        env={**os.environ, "BENCH_POSTGRES_URL": ""},
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]

    results = json.loads(out.read_text())
    paths = {r["path"] for r in results["paths"]}
    assert len(paths) == 9 and any(p.startswith("POST /orders/new") for p in paths)
    for row in results["paths"]:
        assert row["shop"]["rps"] > 0 and row["bare"]["rps"] > 0, row
        assert row["shop"]["non_2xx"] == 0, row
        assert row["ratio"] == pytest.approx(row["shop"]["rps"] / row["bare"]["rps"])
    [checkout] = results["checkouts"]
    assert checkout["different_products"] > 0, checkout
    assert "| SQLite | `GET /orders (10 orders, bearer)` |" in done.stdout


def test_turns_of_one_app_add_up_to_one_measurement():
    from bench.load import Measurement, combined

    turns = [Measurement(requests=100, seconds=2.0, rps=50.0, p50_ms=4.0, p99_ms=20.0,
                         non_2xx=1, cpu_ms=2.0),
             Measurement(requests=300, seconds=2.0, rps=150.0, p50_ms=2.0, p99_ms=9.0,
                         socket_errors=2, cpu_ms=1.0),
             Measurement(requests=200, seconds=2.0, rps=100.0, p50_ms=3.0, p99_ms=12.0,
                         cpu_ms=1.5)]
    total = combined(turns)
    assert (total.requests, total.seconds, total.rps) == (600, 6.0, 100.0)
    assert (total.p50_ms, total.p99_ms) == (3.0, 20.0)  # the median p50, the worst p99
    assert (total.non_2xx, total.socket_errors) == (1, 2)
    assert total.cpu_ms == pytest.approx((100 * 2.0 + 300 * 1.0 + 200 * 1.5) / 600)


@pytest.mark.skipif(bool(TEST_DATABASE_URL),
                    reason="runs once, in the SQLite pass (it builds its own scratch shop)")
def test_instruction_counts_are_reported_for_the_paths_asked():
    need(shutil.which("valgrind") is not None,
         "counting instructions needs valgrind (apt-get install valgrind)")
    done = subprocess.run(
        [sys.executable, "-m", "bench.instructions", "--paths", "orders,home",
         "--requests", "3"],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    rows = dict(re.findall(r"^\| `([^`]+)` \| ([\d,]+) \|", done.stdout, re.M))
    assert set(rows) == {"GET /orders", "GET /"}
    # A request of the shop costs at least what the bare app's does (about a million).
    assert all(int(count.replace(",", "")) > 500 for count in rows.values()), rows
