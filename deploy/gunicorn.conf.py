"""gunicorn's settings for the shop: `gunicorn --config deploy/gunicorn.conf.py app:app`.

Threads, because a request may wait on something slow that costs no CPU (Stripe answers a
checkout in a few hundred milliseconds). Processes for the CPU work, more of them than cores
(gunicorn's advice, 2 × cores + 1): the threads of one process take turns on one interpreter
lock, so a page's CPU work waits less, and costs less switching, when each process serves
fewer requests at once; the benchmark (bench/run) served GET /orders about twice as fast with
5 processes of 4 threads as with 2 of 8 on two cores, with the same 20 requests in flight for
slow providers. The environment overrides both: WEB_CONCURRENCY (processes) and
GUNICORN_THREADS (threads each). It lives in deploy/, not at the top, so that a plain
`gunicorn` run there does not pick it up.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * multiprocessing.cpu_count() + 1)
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS") or 4)
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


def post_worker_init(worker):
    """The worker has loaded the app: what exists now (modules, the app, its metadata and
    templates) lives as long as the process. Freezing it keeps the garbage collector's full
    passes, which come every few thousand requests, from walking all of it each time; each
    request's own garbage is collected as before. bench/instructions.py does the same."""
    import gc

    gc.freeze()
