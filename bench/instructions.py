"""What a request costs in CPU instructions, counted by valgrind: repeatable on a busy machine.

    .venv/bin/python -m bench.instructions                     # every path, 40 requests each
    .venv/bin/python -m bench.instructions --paths orders,home --requests 100

bench/run measures rates, which move with whatever else the machine is doing; this counts the
instructions the shop's own process spends on one request (valgrind's callgrind tool), which
are the same run after run. Use it to see what a change to the code gains: run it before and
after. It builds a scratch shop on SQLite as bench/run does (the demo catalog, a shopper with
ten orders and a cart, staff), then calls the WSGI app in-process under callgrind, counting
only the measured requests, and the bare app's GET /orders beside them. Needs valgrind
(Debian: apt-get install valgrind); the run takes a few minutes, as valgrind is slow.
"""

import argparse
import gc
import io
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from bench import load

# name: (method and path, who calls). {order_id} is one of the shopper's orders.
PATHS = {
    "orders": ("GET /orders", "bearer"),
    "order": ("GET /orders/{order_id}", "bearer"),
    "products": ("GET /products", "anonymous"),
    "new_order": ("POST /orders/new", "buyer"),
    "home": ("GET /", "anonymous"),
    "cart": ("GET /cart", "shopper"),
    "account_orders": ("GET /account/orders", "shopper"),
    "staff_orders": ("GET /staff/orders", "staff"),
    "staff_leads": ("GET /staff/leads", "staff"),
}
BARE = "bare_orders"
WARM_UP = 30


def prepare(workdir: Path) -> dict:
    """A scratch shop and its callers, as bench/run makes them; what the counting needs."""
    from werkzeug.serving import make_server

    from shop import create_app

    url = load.sqlite_url(workdir)
    secret = "bench-instructions-" + os.urandom(8).hex()
    shop = load.build_shop(url, secret, workdir)
    app = create_app({**_config(url, secret), "LOG_LEVEL": "WARNING"},
                     **load._instance(workdir))
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        clients = load.prepare_clients(f"http://127.0.0.1:{server.server_port}", shop)
    finally:
        server.shutdown()
    return {"url": url, "secret": secret, "workdir": str(workdir),
            "shopper_token": shop["shopper_token"], "order_id": clients["order_id"],
            "buyer_tokens": Path(shop["tokens_file"]).read_text().split(),
            "product_ids": shop["product_ids"][:2],
            "shopper": clients["shopper"].headers(), "staff": clients["staff"].headers()}


def _config(url: str, secret: str) -> dict:
    from shop.config import normalise_database_url

    return {"SQLALCHEMY_DATABASE_URI": normalise_database_url(url), "SECRET_KEY": secret,
            "SHOP_ORDER_LIMIT": "1000000 per hour"}


def _environ(method: str, path: str, headers: dict[str, str], body: bytes = b"") -> dict:
    environ = {
        "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "",
        "SERVER_NAME": "localhost", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr,
        "wsgi.multithread": True, "wsgi.multiprocess": False, "wsgi.run_once": False,
        "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "localhost", "CONTENT_LENGTH": str(len(body)),
    }
    for name, value in headers.items():
        key = name.upper().replace("-", "_")
        environ[key if key == "CONTENT_TYPE" else "HTTP_" + key] = value
    return environ


def requests_of(name: str, state: dict):
    """An endless supply of WSGI environs for one path (each buyer orders once)."""
    route, who = PATHS[name] if name != BARE else ("GET /orders", "anonymous")
    method, path = route.split(" ", 1)
    path = path.format(order_id=state["order_id"])
    headers: dict[str, str] = {}
    if who == "bearer":
        headers["Authorization"] = "Bearer " + state["shopper_token"]
    elif who in ("shopper", "staff"):
        headers.update(line.split(": ", 1) for line in state[who])
    buyers = iter(state["buyer_tokens"])
    first, second = state["product_ids"]
    new_order = json.dumps([{"id": first, "quantity": 1}, {"id": second, "quantity": 2}]).encode()
    count = 0
    while True:
        count += 1
        if who == "buyer":
            yield _environ(method, path, {
                "Authorization": "Bearer " + next(buyers), "Content-Type": "application/json",
                "Idempotency-Key": f"bench-instructions-{count}"}, new_order)
        else:
            yield _environ(method, path, headers)


def call(app, environ: dict) -> str:
    status = []
    b"".join(app(environ, lambda s, h, exc=None: status.append(s)))
    return status[0]


def count_in_child(state: dict, names: list[str], requests: int) -> None:
    """Under callgrind: warm each path up, then count `requests` of it, one dump each."""
    import bench.bare_app
    from shop import create_app

    app = create_app(_config(state["url"], state["secret"]),
                     **load._instance(Path(state["workdir"])))
    gc.freeze()  # as deploy/gunicorn.conf.py's workers do once the app is loaded
    pid = str(os.getpid())
    for name in names:
        target = bench.bare_app.app if name == BARE else app
        supply = requests_of(name, state)
        for _ in range(WARM_UP):
            status = call(target, next(supply))
        if not status.startswith(("200", "201")):
            raise SystemExit(f"{name} answered {status}")
        environs = [next(supply) for _ in range(requests)]  # made before counting starts
        # The garbage collector starts afresh, so that a pass the path before made it owe does
        # not fall into this path's count.
        gc.collect()
        subprocess.run(["callgrind_control", "-i", "on", pid], check=True, capture_output=True)
        for environ in environs:
            call(target, environ)
        subprocess.run(["callgrind_control", "-i", "off", pid], check=True, capture_output=True)
        subprocess.run(["callgrind_control", "-d", name, pid], check=True, capture_output=True)


def read_counts(folder: Path, requests: int) -> dict[str, float]:
    """Instructions per request of each dump, by the name it was dumped under."""
    counts = {}
    for dump in folder.glob("callgrind.out.*"):
        text = dump.read_text(errors="replace")
        trigger = re.search(r"^desc: Trigger: dump (\S+)", text, re.M)
        total = re.search(r"^totals: (\d+)", text, re.M)
        if trigger and total and (trigger.group(1) in PATHS or trigger.group(1) == BARE):
            counts[trigger.group(1)] = int(total.group(1)) / requests
    return counts


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n".join(__doc__.splitlines()[1:]))
    parser.add_argument("--paths", default=",".join(PATHS),
                        help=f"comma-separated, of: {', '.join(PATHS)}")
    parser.add_argument("--requests", type=int, default=40, help="counted requests per path")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.paths.split(",") if n.strip()]
    unknown = [n for n in names if n not in PATHS]
    if unknown:
        parser.error(f"unknown paths: {', '.join(unknown)}")
    if args.child:
        count_in_child(json.loads(args.child.read_text()), [BARE, *names], args.requests)
        return 0
    if not (shutil.which("valgrind") and shutil.which("callgrind_control")):
        print("Counting instructions needs valgrind: apt-get install valgrind.", file=sys.stderr)
        return 2

    workdir = Path(tempfile.mkdtemp(prefix="shop-instructions-"))
    try:
        state_file = workdir / "state.json"
        state_file.write_text(json.dumps(prepare(workdir)))
        dumps = workdir / "dumps"
        dumps.mkdir()
        done = subprocess.run(
            ["valgrind", "--tool=callgrind", "--instr-atstart=no",
             f"--callgrind-out-file={dumps}/callgrind.out.%p", sys.executable, "-m",
             "bench.instructions", "--child", str(state_file), "--paths", ",".join(names),
             "--requests", str(args.requests)],
            cwd=load.ROOT, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            print(done.stdout[-3000:] + done.stderr[-3000:], file=sys.stderr)
            return 1
        counts = read_counts(dumps, args.requests)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    missing = [n for n in [BARE, *names] if n not in counts]
    if missing:
        print(f"No count for: {', '.join(missing)}", file=sys.stderr)
        return 1
    bare = counts[BARE]
    print(f"Instructions per request: {args.requests} requests a path, in-process, SQLite. The "
          f"bare app's GET /orders: {bare / 1e3:,.0f} thousand.\n")
    print("| path | thousand instructions | bare ÷ shop |\n| --- | ---: | ---: |")
    for name in names:
        print(f"| `{PATHS[name][0]}` | {counts[name] / 1e3:,.0f} | {bare / counts[name]:.2f}× |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
