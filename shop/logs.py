"""Logging: one line per request, a request id on every line, extra fields kept.

Text (the default) reads well in a terminal; LOG_FORMAT=json gives one JSON object per line
for a log collector. Both keep every field a caller passes in `extra=`.
"""

import logging
import re
import sys
import time
import uuid

from flask import Flask, g, has_request_context, request

access_log = logging.getLogger("shop.access")

# A request id we accept from a proxy: short and plain, so it cannot forge log lines.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:@+=/-]{1,128}")
# Attributes every LogRecord has; anything else on a record came from `extra=`.
STANDARD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message", "asctime", "http_request_id", "taskName"}
HANDLER_NAME = "shop"


def request_id() -> str:
    """This request's id: the caller's X-Request-ID if it is sane, else a new one."""
    if "request_id" not in g:
        given = request.headers.get("X-Request-ID", "")
        g.request_id = given if SANE_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
    return g.request_id


def extra_fields(record: logging.LogRecord) -> dict:
    return {k: v for k, v in vars(record).items() if k not in STANDARD_ATTRIBUTES}


class TextFormatter(logging.Formatter):
    """`time level logger [request id] message key=value …`."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(http_request_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extra = extra_fields(record)
        if extra:
            line += " " + " ".join(f"{k}={v!r}" if isinstance(v, str) and " " in v else f"{k}={v}"
                                   for k, v in extra.items())
        return line


class StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (test runners swap it)."""

    def __init__(self):
        super().__init__()
        self.name = HANDLER_NAME

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value):
        pass


def _install_record_factory() -> None:
    """Stamp every record made during a request with its id, whichever logger makes it.

    Named http_request_id because `request_id` is taken: callers log a provider's request id
    under that name, and a record may not have an attribute set twice.
    """
    previous = logging.getLogRecordFactory()
    if getattr(previous, "shop_request_id", False):
        return

    def factory(*args, **kwargs):
        record = previous(*args, **kwargs)
        try:
            record.http_request_id = request_id() if has_request_context() else "-"
        except RuntimeError:  # outside an app context
            record.http_request_id = "-"
        return record

    factory.shop_request_id = True  # type: ignore[attr-defined]  # marks it as installed
    logging.setLogRecordFactory(factory)


def _record_only_what_is_shown() -> None:
    """Records stop gathering what neither format shows: the caller's file, line and function
    (a walk up the stack for every record), and the thread and process names. These are the
    switches the logging documentation gives for it ("Optimization"); every request logs."""
    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False


def configure_logging(app: Flask) -> None:
    """Send logs to stderr as text or JSON (LOG_FORMAT), and log each request once."""
    _install_record_factory()
    _record_only_what_is_shown()
    handler = StderrHandler()
    if app.config["LOG_FORMAT"] == "json":
        from pythonjsonlogger.json import JsonFormatter

        handler.setFormatter(JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(http_request_id)s %(message)s",
            rename_fields={"levelname": "level", "name": "logger"}))
    else:
        handler.setFormatter(TextFormatter())
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(app.config["LOG_LEVEL"])

    @app.before_request
    def start_clock():
        g.request_started = time.perf_counter()
        request_id()

    @app.after_request
    def log_request(response):
        response.headers["X-Request-ID"] = request_id()
        started = g.get("request_started")
        duration = round((time.perf_counter() - started) * 1000, 1) if started else None
        access_log.info("%s %s %s", request.method, request.path, response.status_code,
                        extra={"method": request.method, "path": request.path,
                               "status": response.status_code, "duration_ms": duration})
        return response
