"""Delivering the outbox: claim a due message, send it, record the outcome.

When mail leaves: right after the transaction that queued it commits, a short-lived
background thread of that process (the courier) delivers what is due, so the request never
waits for, or fails because of, the SMTP server. Whatever the courier could not send (the
server was down, the process ended) stays due and is retried with back-off by the next
courier or by `flask --app app shop send-mail` from cron.

How a message is sent once: a sender claims one message at a time, in its own short
transaction, by stamping a lease (`claimed_until`) and a random `claim_token` on it. On
PostgreSQL the candidate row is read `FOR UPDATE SKIP LOCKED`, so concurrent senders pass each
other instead of queueing; on every database the stamp is a conditional UPDATE that only
succeeds while the row is still unclaimed, so two senders can never both win. The outcome is
recorded only by the holder of the token. A sender that dies mid-send leaves the lease to
expire and the message is sent again then: that is the one case of a second copy, and both
carry the same Message-ID so that mail software can drop it.
"""

import hashlib
import logging
import secrets
import smtplib
import threading
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from pathlib import Path

from flask import Flask, current_app, has_app_context
from sqlalchemy import CursorResult, event, or_, select, update
from sqlalchemy.orm import Session

from shop.database import utcnow
from shop.extensions import db
from shop.mail.models import MailStatus, OutboxMessage

log = logging.getLogger(__name__)

# Seconds a claim lasts; longer than any one SMTP conversation may take.
CLAIM_SECONDS = 300
SMTP_TIMEOUT = 30
MAX_RETRY_DELAY = timedelta(hours=6)


class PermanentFailure(Exception):
    """The message can never be sent as it is (a malformed recipient): do not retry."""


@dataclass
class DeliveryReport:
    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


def is_plain_address(address: str) -> bool:
    """A bare addr-spec: one @, no spaces, no control or list characters a header could
    be split with."""
    if not address or len(address) > 254 or any(c in address for c in '\r\n\t ,;<>"()\\'):
        return False
    if any(ord(c) < 32 or ord(c) == 127 for c in address):
        return False
    local, at, domain = address.rpartition("@")
    return bool(local and at and domain and "@" not in local and "." in domain
                and parseaddr(address)[1] == address)


def build_message(row: "ClaimedMessage | OutboxMessage", sender: str) -> EmailMessage:
    """The multipart (text + HTML) mail of an outbox row. Header values come only from the
    row's checked recipient, the configured sender and a subject with its line breaks
    collapsed, so nothing a shopper typed can add a header or a recipient."""
    if not is_plain_address(row.recipient):
        raise PermanentFailure(f"not a plain email address: {row.recipient!r}")
    message = EmailMessage()
    message["Subject"] = " ".join(row.subject.split())
    message["From"] = sender
    message["To"] = row.recipient
    message["Date"] = formatdate(localtime=False)
    domain = parseaddr(sender)[1].rpartition("@")[2] or "shop.invalid"
    # The same for every attempt at this row, so a copy sent twice can be recognised.
    digest = hashlib.sha256(row.event_key.encode()).hexdigest()[:16]
    message["Message-ID"] = f"<outbox-{row.id}-{digest}@{domain}>"
    message["X-Shop-Event"] = row.event_key
    message.set_content(row.text_body)
    message.add_alternative(row.html_body, subtype="html")
    return message


class SmtpTransport:
    """Sends through the configured SMTP server, one connection per batch."""

    def __init__(self, config):
        self.config = config
        self.connection: smtplib.SMTP | None = None

    def send(self, message: EmailMessage, envelope_from: str, recipient: str) -> None:
        if self.connection is None:
            self.connection = self._connect()
        self.connection.send_message(message, from_addr=envelope_from, to_addrs=[recipient])

    def _connect(self) -> smtplib.SMTP:
        config = self.config
        connection = smtplib.SMTP(config["MAIL_SERVER"], int(config["MAIL_PORT"]),
                                  timeout=SMTP_TIMEOUT)
        try:
            if config["MAIL_USE_TLS"]:
                connection.starttls()
            if config.get("MAIL_USERNAME"):
                connection.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        except BaseException:
            connection.close()
            raise
        return connection

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except (OSError, smtplib.SMTPException):
                self.connection.close()
            self.connection = None


class FileTransport:
    """Writes each mail as an .eml file (a laptop without MAIL_SERVER): nothing leaves."""

    def __init__(self, directory: str):
        self.directory = Path(directory)

    def send(self, message: EmailMessage, envelope_from: str, recipient: str) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"{utcnow():%Y%m%dT%H%M%S}-{message['X-Shop-Event']}.eml".replace("/", "-")
        partial = self.directory / (name + ".part")
        partial.write_bytes(bytes(message))
        partial.replace(self.directory / name)

    def close(self) -> None:
        pass


def transport_for(config):
    if config.get("MAIL_SERVER"):
        return SmtpTransport(config)
    return FileTransport(config["MAIL_FILE_DIR"])


def retry_delay(attempts: int) -> timedelta:
    """Back-off after the n-th failed attempt: MAIL_RETRY_DELAY, doubled each time, capped."""
    base = timedelta(seconds=int(current_app.config["MAIL_RETRY_DELAY"]))
    return min(base * 2 ** max(attempts - 1, 0), MAX_RETRY_DELAY)


@dataclass(frozen=True)
class ClaimedMessage:
    """What a sender needs of an outbox row it has claimed, read once."""

    id: int
    event_key: str
    kind: str
    recipient: str
    subject: str
    text_body: str
    html_body: str
    attempts: int


def claim_next() -> tuple[ClaimedMessage, str] | None:
    """Claim the next due message for this sender, in a transaction of its own."""
    now = utcnow()
    unclaimed = or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now)
    due = (OutboxMessage.status == MailStatus.PENDING, OutboxMessage.next_attempt_at <= now,
           unclaimed)
    for _ in range(10):  # a few lost races at most; the next run picks up the rest
        query = select(OutboxMessage.id).where(*due).order_by(
            OutboxMessage.next_attempt_at, OutboxMessage.id).limit(1)
        if db.engine.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        message_id = db.session.scalar(query)
        if message_id is None:
            db.session.rollback()
            return None
        token = secrets.token_hex(16)
        claimed: CursorResult = db.session.execute(  # type: ignore[assignment]
            update(OutboxMessage).where(OutboxMessage.id == message_id, *due)
            .values(claimed_until=now + timedelta(seconds=CLAIM_SECONDS), claim_token=token,
                    attempts=OutboxMessage.attempts + 1)
            .execution_options(synchronize_session=False))
        db.session.commit()
        if claimed.rowcount == 1:
            row = db.session.get(OutboxMessage, message_id, populate_existing=True)
            assert row is not None  # claimed just now: only this sender touches it
            message = ClaimedMessage(id=row.id, event_key=row.event_key, kind=row.kind,
                                     recipient=row.recipient, subject=row.subject,
                                     text_body=row.text_body, html_body=row.html_body,
                                     attempts=row.attempts)
            # No transaction stays open while the SMTP server is talked to.
            db.session.rollback()
            return message, token
    return None


def _record(message_id: int, token: str, **values) -> bool:
    """Write an outcome, only if this sender still holds the claim."""
    done: CursorResult = db.session.execute(  # type: ignore[assignment]
        update(OutboxMessage).where(OutboxMessage.id == message_id,
                                    OutboxMessage.claim_token == token)
        .values(claimed_until=None, claim_token=None, **values)
        .execution_options(synchronize_session=False))
    db.session.commit()
    return done.rowcount == 1


def deliver_due(limit: int = 100) -> DeliveryReport:
    """Send up to `limit` due messages; failures are rescheduled, never lost."""
    config = current_app.config
    sender = config["MAIL_DEFAULT_SENDER"]
    envelope_from = parseaddr(sender)[1] or sender
    report = DeliveryReport()
    transport = transport_for(config)
    try:
        for _ in range(limit):
            claim = claim_next()
            if claim is None:
                break
            row, token = claim
            fields = {"outbox_id": row.id, "kind": row.kind, "event_key": row.event_key,
                      "attempt": row.attempts}
            try:
                transport.send(build_message(row, sender), envelope_from, row.recipient)
            except (PermanentFailure, smtplib.SMTPRecipientsRefused) as error:
                _record(row.id, token, status=MailStatus.FAILED, last_error=str(error)[:500])
                log.error("mail refused for good", extra={**fields, "outcome": "failed",
                                                          "error": str(error)})
                report.failed.append(row.id)
            except (OSError, smtplib.SMTPException) as error:
                transport.close()  # a broken connection is not reused
                _record(row.id, token, next_attempt_at=utcnow() + retry_delay(row.attempts),
                        last_error=f"{type(error).__name__}: {error}"[:500])
                log.warning("mail not sent; will retry", extra={**fields, "outcome": "retry",
                                                                "error": str(error)})
                report.retrying.append(row.id)
            else:
                _record(row.id, token, status=MailStatus.SENT, sent_at=utcnow(),
                        last_error=None)
                log.info("mail sent", extra={**fields, "outcome": "sent"})
                report.sent.append(row.id)
    finally:
        transport.close()
    return report


class Courier:
    """The process's background sender: one short-lived thread at a time, woken after a
    commit that queued mail; a wake-up while it runs makes it look once more."""

    def __init__(self, app: Flask):
        self.app = app
        self._lock = threading.Lock()
        self._again = False
        self.thread: threading.Thread | None = None

    def wake(self) -> None:
        with self._lock:
            if self.thread is not None and self.thread.is_alive():
                self._again = True
                return
            self._again = False
            self.thread = threading.Thread(target=self._run, name="shop-mail-courier",
                                           daemon=True)
            self.thread.start()

    def _run(self) -> None:
        while True:
            try:
                with self.app.app_context():
                    try:
                        deliver_due()
                    finally:
                        db.session.remove()
            except Exception:
                # The outbox keeps the mail; send-mail or the next wake-up tries again.
                log.exception("mail courier failed")
            with self._lock:
                if not self._again:
                    return
                self._again = False

    def join(self, timeout: float = 30) -> None:
        """Wait for the current run to end (tests, and a clean shutdown)."""
        while True:
            thread = self.thread
            if thread is None:
                return
            thread.join(timeout)
            with self._lock:
                if self.thread is thread and not thread.is_alive():
                    return


def init_mail(app: Flask) -> None:
    """Give the app its courier."""
    app.extensions["shop.mail_courier"] = Courier(app)


def wake_courier() -> None:
    """Deliver queued mail in the background, if this app delivers after commit."""
    if has_app_context() and current_app.config.get("MAIL_DELIVER_AFTER_COMMIT"):
        current_app.extensions["shop.mail_courier"].wake()


# The session's info key that says a transaction queued mail (set by outbox.enqueue).
QUEUED = "shop.mail_queued"


@event.listens_for(Session, "after_commit")
def _wake_courier_after_commit(session: Session) -> None:
    """After a commit that queued mail, deliver it without holding up the request."""
    if session.info.pop(QUEUED, False):
        wake_courier()


@event.listens_for(Session, "after_rollback")
def _forget_queued(session: Session) -> None:
    session.info.pop(QUEUED, None)
