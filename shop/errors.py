"""Problem details (RFC 9457) for JSON paths, HTML error pages for the rest."""

import logging

from flask import Flask, Response, g, json, render_template, request
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from shop import exceptions as exc
from shop.extensions import db, login_manager

log = logging.getLogger(__name__)

# Paths that answer JSON whatever the Accept header says. Matched segment by segment.
API_PREFIXES = ("/orders", "/products", "/categories", "/leads", "/payments", "/openapi.json",
                "/shipping-methods")

# Domain exceptions and the status code each becomes: the one place this mapping lives.
STATUS_FOR = {
    exc.InvalidInput: 400,
    exc.PaymentDeclined: 402,
    exc.PermissionDenied: 403,
    exc.NotFound: 404,
    exc.StateConflict: 409,
    exc.UnknownReferences: 422,
    exc.AmountOutOfRange: 422,
    exc.UnprocessableContent: 422,
    exc.PaymentProviderError: 502,
}


def status_for(error: exc.DomainError) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS_FOR:
            return STATUS_FOR[cls]
    return 400


def is_api_path(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in API_PREFIXES)


def problem(
    status: int,
    detail: str,
    *,
    title: str | None = None,
    type_: str = "about:blank",
    errors: list[dict] | None = None,
    headers: dict | None = None,
    **extra,
) -> Response:
    """Build the one and only shape of an error answer on the JSON API."""
    body = {"type": type_, "title": title or _reason(status), "status": status, "detail": detail}
    if errors:
        body["errors"] = errors
    body.update(extra)
    response = Response(json.dumps(body), status=status, mimetype="application/problem+json")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def domain_problem(error: exc.DomainError) -> Response:
    return problem(
        status_for(error),
        error.detail,
        title=error.title,
        type_=f"urn:shop:problem:{error.code}",
        errors=error.errors,
        code=error.code,
        **error.extra,
    )


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _http_problem(error: HTTPException) -> Response:
    headers = {k: v for k, v in error.get_headers() if k.lower() in {"allow", "www-authenticate"}}
    return problem(error.code or 500, error.description or error.name, title=error.name,
                   headers=headers)


def _page(status: int, title: str, detail: str) -> tuple[str, int]:
    return render_template("errors/error.html", status=status, title=title, detail=detail), status


# How long a client should wait before retrying while the database is unreachable.
RETRY_AFTER_SECONDS = 5


def database_unavailable(*, api: bool) -> Response | tuple:
    """503 with Retry-After: the database cannot be reached; nothing was changed."""
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    detail = "The shop cannot reach its database just now; nothing was changed. Try again shortly."
    if api:
        return problem(503, detail, headers=headers)
    # A page of its own: the usual layout asks the database who is logged in. Flask-Login's
    # template context loads the user too, so this answer treats the caller as anonymous.
    g._login_user = login_manager.anonymous_user()
    return render_template("errors/unavailable.html", detail=detail), 503, headers


def _rollback_quietly() -> None:
    try:
        db.session.rollback()
    except Exception:  # the connection may be gone; the session is discarded either way
        log.debug("rollback failed", exc_info=True)


def register_error_handlers(app: Flask) -> None:
    """Answer every error as problem+json on API paths and as an HTML page elsewhere."""

    @app.errorhandler(exc.DomainError)
    def handle_domain_error(error: exc.DomainError):
        if is_api_path(request.path):
            return domain_problem(error)
        return _page(status_for(error), error.title, error.detail)

    @app.errorhandler(HTTPException)
    def handle_http_exception(error: HTTPException):
        if is_api_path(request.path):
            return _http_problem(error)
        if error.code and error.code < 400:
            return error
        return _page(error.code or 500, error.name, error.description or "")

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def handle_database_unreachable(error: Exception):
        _rollback_quietly()
        log.error("database unavailable on %s %s: %s", request.method, request.path,
                  type(getattr(error, "orig", error)).__name__)
        return database_unavailable(api=is_api_path(request.path))

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        _rollback_quietly()
        log.exception("unhandled error on %s %s", request.method, request.path)
        if is_api_path(request.path):
            return problem(500, "Something went wrong on our side; nothing was changed.")
        return _page(500, _reason(500), "Something went wrong on our side.")
