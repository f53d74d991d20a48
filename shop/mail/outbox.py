"""Queueing mail: a row in the outbox, written in the caller's transaction.

Nothing here talks to an SMTP server. `enqueue` adds the rendered message to the session; it
is committed (or rolled back) with the change it reports. Once a transaction that queued mail
commits, the process's courier is woken to deliver it in the background (see delivery.py);
`flask --app app shop send-mail` delivers whatever is still due.
"""

import logging
import re
from contextlib import nullcontext

from flask import current_app, has_request_context, render_template, request, url_for

from shop.extensions import db
from shop.mail.delivery import QUEUED
from shop.mail.models import OutboxMessage

log = logging.getLogger(__name__)

def enqueue(*, kind: str, event_key: str, recipient: str, subject: str, template: str,
            **context) -> OutboxMessage:
    """Queue one mail from templates/mail/<template>.txt and .html, in the current transaction.

    `event_key` names the event the mail reports: one event, one mail, however often the
    code that reports it runs.
    """
    context = {"subject": subject, "shop_url": external_url("catalog.index"), **context}
    with _page_context():
        text_body = render_template(f"mail/{template}.txt", **context)
        html_body = render_template(f"mail/{template}.html", **context)
    message = OutboxMessage(
        event_key=event_key[:200], kind=kind, recipient=recipient,
        subject=" ".join(subject.split())[:300], text_body=text_body, html_body=html_body,
    )
    db.session.add(message)
    db.session.info[QUEUED] = True
    log.info("mail queued", extra={"kind": kind, "event_key": event_key})
    return message


def external_url(endpoint: str, **values) -> str:
    """An absolute link for a mail: on SHOP_BASE_URL when set (a request's Host header is the
    client's to choose, and must never decide where a password-reset link points)."""
    base = current_app.config.get("SHOP_BASE_URL")
    if not base and has_request_context():
        base = request.host_url
    base = (base or "http://localhost:5000").rstrip("/")
    with _page_context():
        path = url_for(endpoint, **values)
    return base + re.sub(r"^https?://[^/]+", "", path)


def _page_context():
    """The current request, or a stand-in one for mail queued outside any (the CLI), since
    templates and url_for expect a request."""
    if has_request_context():
        return nullcontext()
    return current_app.test_request_context("/")
