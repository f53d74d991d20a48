"""A benchmark stand-in for Stripe's PaymentIntents API that answers after a fixed delay.

Not a test double of Stripe's behaviour (localstripe is that): it only lets the checkout
benchmark see what a slow provider does to orders per second. The shop talks to it through
STRIPE_API_BASE with the real stripe library.

    .venv/bin/python bench/stripe_stand_in.py --port 12111 --latency 0.25
"""

import argparse
import itertools
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

_numbers = itertools.count(1)
_lock = threading.Lock()
_intents: dict[str, dict] = {}


def _new_intent(form: dict[str, list[str]]) -> dict:
    with _lock:
        number = next(_numbers)
    intent_id = f"pi_standin_{number}_{secrets.token_hex(4)}"
    intent = {
        "id": intent_id, "object": "payment_intent",
        "amount": int(form.get("amount", ["0"])[0]),
        "currency": form.get("currency", ["usd"])[0],
        "client_secret": f"{intent_id}_secret_{secrets.token_hex(8)}",
        "status": "requires_payment_method", "last_payment_error": None,
        "metadata": {"order_id": form.get("metadata[order_id]", [""])[0]},
    }
    with _lock:
        _intents[intent_id] = intent
    return intent


class Handler(BaseHTTPRequestHandler):
    latency = 0.25

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass

    def _answer(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Request-Id", "req_standin")
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        form = parse_qs(self.rfile.read(length).decode())
        time.sleep(self.latency)
        parts = self.path.split("?")[0].strip("/").split("/")
        if parts == ["v1", "payment_intents"]:
            return self._answer(200, _new_intent(form))
        if len(parts) == 4 and parts[:2] == ["v1", "payment_intents"] and parts[3] == "cancel":
            intent = _intents.get(parts[2])
            if intent is None:
                return self._missing()
            intent["status"] = "canceled"
            return self._answer(200, intent)
        return self._missing()

    def do_GET(self):
        time.sleep(self.latency)
        parts = self.path.split("?")[0].strip("/").split("/")
        if len(parts) == 3 and parts[:2] == ["v1", "payment_intents"] and parts[2] in _intents:
            return self._answer(200, _intents[parts[2]])
        return self._missing()

    def _missing(self):
        self._answer(404, {"error": {"type": "invalid_request_error",
                                     "message": "No such resource (benchmark stand-in)."}})


def serve(port: int, latency: float) -> ThreadingHTTPServer:
    """Start the stand-in on 127.0.0.1:port in a background thread; returns the server."""
    handler = type("StandInHandler", (Handler,), {"latency": latency})
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=12111)
    parser.add_argument("--latency", type=float, default=0.25, help="seconds before answering")
    args = parser.parse_args()
    handler = type("StandInHandler", (Handler,), {"latency": args.latency})
    server = ThreadingHTTPServer(("127.0.0.1", args.port), handler)
    server.daemon_threads = True
    print(f"Stripe stand-in on http://127.0.0.1:{args.port} answering after {args.latency} s",
          flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
