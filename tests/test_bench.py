"""The HTTP benchmark runs and reports numbers (a smoke check: no timings are asserted)."""

import json
import os
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
