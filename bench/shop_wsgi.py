"""The shop as the benchmark serves it: create_app() with BENCH_SHOP_CONFIG's overrides.

The overrides only lift limits a benchmark would hit by design (orders per hour per user);
everything else is the configuration from the environment, as in production.
"""

import json
import os

from shop import create_app

app = create_app(json.loads(os.environ.get("BENCH_SHOP_CONFIG") or "{}"))
