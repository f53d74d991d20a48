"""gunicorn's settings for the shop: `gunicorn --config deploy/gunicorn.conf.py app:app`.

Threads, because a request may wait on something slow that costs no CPU (Stripe answers a
checkout in a few hundred milliseconds); processes, one per core, for the CPU work. The
environment overrides both: WEB_CONCURRENCY (processes) and GUNICORN_THREADS (threads each).
It lives in deploy/, not at the top, so that a plain `gunicorn` run there does not pick it up.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count())
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS") or 8)
# Stripe may take up to 30 s (shop.payments.stripe_gateway.TIMEOUT) and is retried twice.
timeout = 120
graceful_timeout = 30
# Idle keep-alive connections from the proxy stay open a little longer than nginx's default.
keepalive = 75
# A worker is replaced now and then, so that memory a library holds on to is given back.
max_requests = 20_000
max_requests_jitter = 2_000
# The shop logs one line per request itself, with its request id.
accesslog = None
